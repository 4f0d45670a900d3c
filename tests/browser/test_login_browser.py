"""Sign in through the real login page in the system Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from common.roles import Role
from tests.support.browser import sign_in
from tests.support.factories import make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("home_trial")
def test_officer_signs_in_through_the_login_page(live_server, page: Page) -> None:
    user = make_user(Role.OFFICER, first_name="Olivia", last_name="Officer")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    sign_in(page, live_server.url, user)  # the password, then the app's code
    expect(page).to_have_url(f"{live_server.url}/officer/")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Olivia Officer")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
