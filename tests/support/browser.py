"""Signing in through the real pages in Chromium, with the second factor on."""

from __future__ import annotations

import time

from playwright.sync_api import Page

from common.models import User
from signin.selectors import has_authenticator
from signin.services import code_now
from tests.support.factories import PASSWORD
from tests.support.signin import enrol


def sign_in(page: Page, base_url: str, user: User) -> None:
    """Password, then the code the user's app would show (enrolled first if need be)."""
    secret = enrol(user)[0] if not has_authenticator(user) else user.authenticators.get().secret
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/two-factor/**")
    # A new period's code if this user signed in a moment ago (each code works once).
    page.get_by_label("Code from your authenticator app").fill(code_now(secret, time.time() + 30))
    page.get_by_role("button", name="Continue").click()
