"""The marks a session carries: signed in at, last seen, confirmed, and its second factor."""

from __future__ import annotations

import time

from django.http import HttpRequest
from django_otp import login as otp_login

from common.signin_marks import CONFIRMED_AT, SEEN_AT, SIGNED_IN_AT
from signin.models import Authenticator


def session_started(request: HttpRequest) -> None:
    """The password was accepted: the absolute lifetime and the idle timer start now."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


def session_verified(request: HttpRequest, device: Authenticator) -> None:
    """The second factor was given: a new session key, and the session counts as confirmed."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session[CONFIRMED_AT] = time.time()


def session_confirmed(request: HttpRequest) -> None:
    request.session[CONFIRMED_AT] = time.time()
