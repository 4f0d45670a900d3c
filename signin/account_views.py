"""Password pages (a change ends the session, resets are throttled), security page, unlocking."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.people_forms import OutboxPasswordResetForm
from common.permissions import request_user, role_required
from common.roles import Role
from common.selectors import person_for
from common.signin_marks import recent_sign_in_required
from signin import selectors
from signin.selectors import client_address
from signin.services import (
    password_reset_request,
    recovery_codes_renew,
    second_factor_reset,
    sign_in_event,
    sign_in_unlock,
)


class PasswordChangeView(auth_views.PasswordChangeView):
    """A new password ends every session, this one too: the user signs in with it."""

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.save()
        sign_in_event(
            action="auth.password_changed",
            user=user,
            address=client_address(self.request),
        )
        logout(self.request)
        messages.success(self.request, "Your password is changed. Sign in with the new one.")
        return redirect("login")


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot your password": limited per address and per e-mail, each request audited."""

    form_class = OutboxPasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            password_reset_request(
                email=form.cleaned_data["email"], address=client_address(self.request)
            )
        except DomainError as error:
            add_domain_error(form, error)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_event(
            action="auth.password_reset_done",
            user=form.user,
            address=client_address(self.request),
        )
        return response


def security(request: HttpRequest) -> HttpResponse:
    """The user's own sign-in security: their app, recovery codes left, password."""
    user = request_user(request)
    left = user.recovery_codes.filter(used_at__isnull=True).count()
    context = {"has_authenticator": selectors.has_authenticator(user), "codes_left": left}
    return render(request, "signin/security.html", context)


@require_POST
@recent_sign_in_required
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    try:
        codes = recovery_codes_renew(user=request_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("signin:security")
    return render(request, "signin/recovery_codes.html", {"codes": codes, "next": "/"})


@require_POST
@role_required(Role.TRIAL_MANAGER)
@recent_sign_in_required
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for(by=request_user(request), pk=pk)  # another trial's people: 404
    cleared = sign_in_unlock(user=person, by=request_user(request))
    messages.success(
        request, f"{person.username} can sign in again ({cleared} failed attempts cleared)."
    )
    return redirect("people:detail", pk=pk)


@require_POST
@role_required(Role.TRIAL_MANAGER)
@recent_sign_in_required
def person_second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for(by=request_user(request), pk=pk)
    try:
        second_factor_reset(user=person, by=request_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{person.username}'s second factor is reset: they set up an app at next sign-in.",
        )
    return redirect("people:detail", pk=pk)
