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
from tests.support.factories import make_trial, make_user, police_area

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


def test_a_manager_makes_and_revokes_a_service_token(live_server: Any, page: Page) -> None:
    cara = make_trial("CARA")
    area = police_area("southampton", "Southampton")
    sign_in(page, live_server.url, make_user(Role.TRIAL_MANAGER, trial=cara))
    page.get_by_role("link", name="API tokens").click()
    assert "CARA has no service tokens" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Make token").click()
    summary = page.get_by_test_id("error-summary").inner_text()
    assert "Enter a name for the token" in summary
    assert "Choose at least one thing the token may do" in summary
    assert_accessible(page)
    page.get_by_label("Name").fill("Southampton custody suite")
    page.get_by_label("Organisation").select_option(label=str(area.force))
    page.get_by_label("Submit screening facts").check()
    page.get_by_label("Enrol and randomise").check()
    page.get_by_label("Police area").select_option(label=f"Southampton ({area.force})")
    page.get_by_role("button", name="Make token").click()
    assert "tmk_" in page.get_by_test_id("new-token").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke Southampton custody suite").click()
    assert "no longer works" in page.content()
    assert page.get_by_role("cell", name="Revoked").is_visible()
