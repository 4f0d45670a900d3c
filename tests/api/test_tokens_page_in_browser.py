"""The personal tokens page in Chromium: the secret once, revoking, axe on each step.

A sign-in a moment ago counts as re-authentication; the page asking again later is tested
in test_personal_tokens_page.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from common.roles import Role
from tests.support.axe import assert_accessible
from tests.support.browser import sign_in
from tests.support.factories import make_trial, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_makes_sees_once_and_revokes_a_token(live_server: Any, page: Page) -> None:
    user = make_user(Role.RESEARCHER, trial=make_trial("CARA"))
    sign_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/accounts/security/")
    page.get_by_role("link", name="Your API tokens").click()
    assert_accessible(page)
    page.get_by_role("button", name="Make token").click()  # no name: the summary says so
    summary = page.get_by_test_id("error-summary")
    assert "Enter a name for the token" in summary.inner_text()
    assert_accessible(page)
    page.get_by_label("Name").fill("Stata at the university")
    page.get_by_role("button", name="Make token").click()
    shown = page.get_by_test_id("new-token").inner_text()
    assert "tmk_" in shown
    assert "shown only this once" in shown
    assert_accessible(page)
    page.get_by_role("button", name="Revoke Stata at the university").click()
    assert "no longer works" in page.content()
    assert page.get_by_role("cell", name="Revoked").is_visible()
