"""Every request: the session's limits, the second factor, and the headers of a private page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from common.models import User
from common.signin_marks import SEEN_AT, SIGNED_IN_AT
from signin import selectors
from signin.selectors import client_address
from signin.services import sign_in_event

# Pages a signed-in user reaches before giving the second factor.
BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "healthz",
    "signin:verify",
    "signin:recovery",
    "signin:setup",
    "signin:keepalive",
}


def _name(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


def _expired(request: HttpRequest, why: str, message: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    sign_in_event(
        action="auth.session_expired", user=user, address=client_address(request), why=why
    )
    logout(request)
    if request.headers.get("HX-Request") or (
        request.accepts("application/json") and not request.accepts("text/html")
    ):
        return JsonResponse({"signed_out": why}, status=401)
    messages.info(request, message)
    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


class _ViewMiddleware:
    """A middleware that acts in process_view (once the view, and its marks, are known)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class SessionLimitsMiddleware(_ViewMiddleware):
    """Sign out after SIGNIN_IDLE_SECONDS without a request, or SIGNIN_MAX_SECONDS after sign-in.

    Views marked passive (a page polling for progress) do not count as the user being there.
    """

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        now = time.time()
        started = request.session.setdefault(SIGNED_IN_AT, now)
        seen = request.session.get(SEEN_AT, now)
        if now - started > settings.SIGNIN_MAX_SECONDS:
            hours = settings.SIGNIN_MAX_SECONDS // 3600
            return _expired(
                request, "lifetime", f"You were signed in for {hours} hours: sign in again."
            )
        if now - seen > settings.SIGNIN_IDLE_SECONDS:
            idle = settings.SIGNIN_IDLE_SECONDS
            spent = f"{idle // 60} minutes" if idle >= 120 else f"{idle} seconds"
            return _expired(request, "idle", f"You were signed out after {spent} without activity.")
        # Written when it moves by a thirtieth of the timeout (30 s of 15 minutes), so a page
        # does not save its session on every request only to move the clock by a second.
        moved = now - seen >= settings.SIGNIN_IDLE_SECONDS / 30
        if moved and not getattr(view, "signin_passive", False):
            request.session[SEEN_AT] = now
        return None


class SecondFactorMiddleware(_ViewMiddleware):
    """A password alone reaches only the second-factor pages (and the admin sits behind them)."""

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not isinstance(user, User) or not selectors.needs_second_factor(request):
            return None
        request.signin_pending = True  # type: ignore[attr-defined]  # no menu until the code
        if _name(request) in BEFORE_SECOND_FACTOR:
            return None
        step = "signin:verify" if selectors.has_authenticator(user) else "signin:setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class PrivatePageMiddleware:
    """No page is kept by a browser or proxy; no page may use the camera, microphone or place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
