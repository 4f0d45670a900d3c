"""Two-factor enrolment, a recovery code and the idle timeout, in the system Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from common.roles import Role
from signin.services import code_now
from tests.support.browser import sign_in
from tests.support.factories import PASSWORD, make_user


def _password(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("home_trial")
def test_a_new_officer_enrols_keeps_codes_and_signs_in_with_one(live_server, page: Page) -> None:
    officer = make_user(Role.OFFICER)
    base = live_server.url
    _password(page, base, officer.username)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("secret").inner_text().replace(" ", "")
    page.goto(f"{base}/officer/")  # a password alone reaches only this page
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    page.get_by_label("Code from your authenticator app").fill(code_now(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(f"{base}/officer/")
    page.get_by_role("button", name="Sign out").click()

    _password(page, base, officer.username)
    page.get_by_role("link", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/officer/")
    expect(page.get_by_role("status")).to_contain_text("9 are left")
    page.get_by_role("button", name="Sign out").click()

    _password(page, base, officer.username)
    page.get_by_role("link", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("already used")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/recovery/"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("home_trial")
def test_the_idle_warning_keeps_the_session_then_idleness_signs_out(
    live_server, page: Page, settings: object
) -> None:
    settings.SIGNIN_IDLE_SECONDS = 3  # type: ignore[attr-defined]
    researcher = make_user(Role.RESEARCHER)
    sign_in(page, live_server.url, researcher)
    expect(page).to_have_url(f"{live_server.url}/research/")
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible(timeout=3000)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/accounts/login/"), timeout=10000)
    expect(page.get_by_text("signed out after 3 seconds without activity")).to_be_visible()
