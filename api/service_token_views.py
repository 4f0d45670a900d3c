"""A trial manager's service tokens: listed with their use, made after re-authentication."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from api.forms import ServiceTokenForm
from api.selectors import service_tokens_for
from api.services import token_create_service, token_revoke
from common.exceptions import DomainError
from common.forms import add_domain_error
from common.permissions import request_user, role_required
from common.roles import Role
from common.signin_marks import recent_sign_in_required
from common.trial_picker import current_trial


@role_required(Role.TRIAL_MANAGER)
def service_tokens(request: HttpRequest) -> HttpResponse:
    """List the trial's service tokens; a POST makes one (re-authenticated) or revokes one."""
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke(request)
    if request.method == "POST":
        return _create(request)
    return _page(request, ServiceTokenForm())


def _page(request: HttpRequest, form: ServiceTokenForm, secret: str = "") -> HttpResponse:
    trial = current_trial(request)
    context = {
        "trial": trial,
        "form": form,
        "tokens": service_tokens_for(trial=trial, by=request_user(request)),
        "secret": secret,
        "now": timezone.now(),
    }
    return render(request, "api/service_tokens.html", context)


@recent_sign_in_required
def _create(request: HttpRequest) -> HttpResponse:
    form = ServiceTokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _, secret = token_create_service(
                name=data["name"],
                trial=current_trial(request),
                organisation=data["organisation"],
                police_area=data["police_area"],
                scopes=data["scopes"],
                expires_at=timezone.now() + datetime.timedelta(days=data["days"]),
                by=request_user(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Rendered, not redirected: the secret is never kept in a session or a URL.
            return _page(request, ServiceTokenForm(), secret)
    return _page(request, form)


def _revoke(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    found = service_tokens_for(trial=current_trial(request), by=user)
    token = found.filter(pk=request.POST.get("revoke") or 0).first()
    if token is None:
        raise Http404("No such service token of this trial.")
    token_revoke(token=token, by=user)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("api:service_tokens")
