"""A person's own API tokens: listed with their last use, made after re-authentication, revoked."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from api.forms import PersonalTokenForm
from api.selectors import tokens_of
from api.services import token_create_personal, token_revoke
from common.exceptions import DomainError
from common.forms import add_domain_error
from common.permissions import request_user
from common.signin_marks import recent_sign_in_required


def tokens(request: HttpRequest) -> HttpResponse:
    """List the person's tokens; a POST makes one (after re-authentication) or revokes one."""
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke(request)
    if request.method == "POST":
        return _create(request)
    return _page(request, PersonalTokenForm())


def _page(request: HttpRequest, form: PersonalTokenForm, secret: str = "") -> HttpResponse:
    user = request_user(request)
    context = {"form": form, "tokens": tokens_of(user), "secret": secret, "now": timezone.now()}
    return render(request, "api/tokens.html", context)


@recent_sign_in_required
def _create(request: HttpRequest) -> HttpResponse:
    form = PersonalTokenForm(request.POST)
    if form.is_valid():
        try:
            _, secret = token_create_personal(
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + datetime.timedelta(days=form.cleaned_data["days"]),
                by=request_user(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Rendered, not redirected: the secret is never kept in a session or a URL.
            return _page(request, PersonalTokenForm(), secret)
    return _page(request, form)


def _revoke(request: HttpRequest) -> HttpResponse:
    token = tokens_of(request_user(request)).filter(pk=request.POST.get("revoke") or 0).first()
    if token is None:
        raise Http404("No such token of yours.")
    token_revoke(token=token, by=request_user(request))
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("api:tokens")
