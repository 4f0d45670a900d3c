"""What views tell the sign-in middleware: passive polls, and actions that need a fresh sign-in.

The signin app owns sign-in; these marks live in common so that every app can use them without
importing it. The session keys are set by signin's views and middleware.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SIGNED_IN_AT = "signin.at"  # when the password was accepted (the absolute lifetime)
SEEN_AT = "signin.seen"  # the last request the user made (the idle timeout)
CONFIRMED_AT = "signin.confirmed"  # the last password-and-code check (re-authentication)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def passive(view: ViewFunc) -> ViewFunc:
    """Mark a view that pages poll by themselves: it does not count as the user being there."""
    view.signin_passive = True  # type: ignore[attr-defined]
    return view


def confirmed_recently(request: HttpRequest) -> bool:
    """Say whether the user re-entered their password (and code) within SIGNIN_REAUTH_SECONDS."""
    confirmed = request.session.get(CONFIRMED_AT)
    return confirmed is not None and time.time() - confirmed < settings.SIGNIN_REAUTH_SECONDS


def recent_sign_in_required(view: ViewFunc) -> ViewFunc:
    """Ask for the password (and code) again before a sensitive action, then come back.

    A GET comes back to itself; a POST comes back to the page its form was on (the body is not
    replayed: the user sees the form again and sends it knowingly).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if confirmed_recently(request):
            return view(request, *args, **kwargs)
        back = request.get_full_path()
        if request.method != "GET":
            referer = urlsplit(request.headers.get("Referer", ""))
            same_site = referer.netloc in ("", request.get_host())
            back = (referer.path or "/") if same_site else "/"
            messages.info(request, "Confirm it is you, then make the change again.")
        return redirect(f"{reverse('signin:confirm')}?{urlencode({'next': back})}")

    return wrapped  # type: ignore[return-value]
