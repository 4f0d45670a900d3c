"""Sign-in pages: password, second factor (code, recovery code, enrolment), re-confirmation."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.models import User
from common.permissions import request_user
from signin import selectors
from signin.forms import CodeForm, ConfirmForm, RecoveryForm
from signin.selectors import client_address
from signin.services import (
    authenticator_confirm,
    authenticator_start,
    recovery_code_use,
    second_factor_verify,
    session_confirmed,
    session_started,
    session_verified,
    sign_in_event,
    sign_in_failed,
)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


class SignInView(auth_views.LoginView):
    """The password step; the second factor comes next (signin.middleware sends the user on)."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        session_started(self.request)
        user = request_user(self.request)
        sign_in_event(
            action="auth.signed_in",
            user=user,
            address=client_address(self.request),
            step="password",
        )
        if selectors.needs_second_factor(self.request):
            step = "signin:verify" if selectors.has_authenticator(user) else "signin:setup"
            return redirect(_with_next(step, self.request))
        session_confirmed(self.request)  # no second factor asked: the password was the check
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        if not getattr(self.request, "axes_locked_out", False):  # a lockout is audited by itself
            sign_in_failed(
                username=form.data.get("username", "")[:150],
                address=client_address(self.request),
            )
        return super().form_invalid(form)


def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes calls this for every sign-in refused by a lockout: audited, clearly worded."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    user = User.objects.filter(username=username).first() if username else None
    sign_in_event(action="auth.locked_out", user=user, address=client_address(request))
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-ins for this account or from this address. Sign-in is locked for "
        f"{minutes} minutes; the right password will not work until then. Your trial manager "
        "can unlock it sooner."
    )
    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form, "locked": message}, status=429)


class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            sign_in_event(
                action="auth.signed_out",
                user=request_user(request),
                address=client_address(request),
            )
        return super().post(request, *args, **kwargs)


def _second_factor_page(request: HttpRequest, form: Any, template: str, check: Any) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        try:
            result = check(
                user=user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            session_verified(request, result.device)
            if result.recovery_codes_left is not None:
                messages.warning(
                    request,
                    f"You used a recovery code; {result.recovery_codes_left} are left. If you lost "
                    "your phone, ask your trial manager to reset your second factor.",
                )
            return HttpResponseRedirect(_next(request))
    return render(request, template, {"form": form, "next": _next(request)})


def verify(request: HttpRequest) -> HttpResponse:
    """The code from the authenticator app, after the password."""
    if not selectors.has_authenticator(request_user(request)):
        return redirect(_with_next("signin:setup", request))
    form = CodeForm(request.POST or None)
    return _second_factor_page(request, form, "signin/verify.html", second_factor_verify)


def recovery(request: HttpRequest) -> HttpResponse:
    """A recovery code instead of the app's code (a lost or flat phone)."""
    form = RecoveryForm(request.POST or None)
    return _second_factor_page(request, form, "signin/recovery.html", recovery_code_use)


def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code drawn here, a code to confirm, recovery codes once."""
    user = request_user(request)
    if selectors.has_authenticator(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(_with_next("signin:verify", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = authenticator_confirm(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            session_verified(request, device)
            return render(
                request, "signin/recovery_codes.html", {"codes": codes, "next": _next(request)}
            )
    pending = authenticator_start(user=user)
    issuer = settings.TWO_FACTOR_ISSUER
    label = f"{quote(issuer, safe='')}:{quote(user.username, safe='')}"
    otpauth = (
        f"otpauth://totp/{label}?secret={pending.secret}"
        f"&issuer={quote(issuer, safe='')}&algorithm=SHA1&digits=6&period=30"
    )
    qr = segno.make(otpauth, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app"
    )
    grouped = " ".join(pending.secret[i : i + 4] for i in range(0, len(pending.secret), 4))
    context = {"form": form, "qr": qr, "secret": grouped, "next": _next(request)}
    return render(request, "signin/setup.html", context)


def confirm(request: HttpRequest) -> HttpResponse:
    """Re-enter the password (and a code) before a sensitive action."""
    user = request_user(request)
    with_code = selectors.has_authenticator(user)
    form = ConfirmForm(request.POST or None)
    if not with_code:
        del form.fields["code"]
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            sign_in_event(action="auth.reauth_failed", user=user, address=client_address(request))
            form.add_error("password", "That password is not right.")
        else:
            try:
                if with_code:
                    second_factor_verify(
                        user=user,
                        code=form.cleaned_data["code"],
                        address=client_address(request),
                    )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                session_confirmed(request)
                sign_in_event(
                    action="auth.reauthenticated",
                    user=user,
                    address=client_address(request),
                )
                return HttpResponseRedirect(_next(request))
    return render(request, "signin/confirm.html", {"form": form, "next": _next(request)})


@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": the request itself restarts the idle timer (signin.middleware)."""
    return JsonResponse({"idle_seconds": settings.SIGNIN_IDLE_SECONDS, "at": time.time()})
