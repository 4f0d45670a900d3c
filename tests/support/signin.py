"""Sign-in steps for tests: a just-confirmed session, an enrolled authenticator, today's code."""

from __future__ import annotations

import time

from django.test import Client

from common.models import User
from common.signin_marks import CONFIRMED_AT
from signin.services import authenticator_confirm, authenticator_start, code_now


def confirm_sign_in(client: Client) -> None:
    """Mark a client's session as just re-confirmed (password and code), as signin's page does."""
    session = client.session
    session[CONFIRMED_AT] = time.time()
    session.save()


def enrol(user: User) -> tuple[str, list[str]]:
    """Enrol an authenticator for a user as the set-up page does; return its secret and codes."""
    secret = authenticator_start(user=user).secret
    # The code of 30 s ago: enrolment's code is then used, and a sign-in's "now" code is new.
    _device, codes = authenticator_confirm(user=user, code=code_now(secret, time.time() - 30))
    return secret, codes
