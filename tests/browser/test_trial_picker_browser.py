"""A researcher of two trials switches trial from the menu in the system Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from common.roles import Role
from tests.support.browser import sign_in
from tests.support.factories import grant, make_trial, make_user, police_area


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_trial_picker_switches_the_pages_to_the_other_trial(live_server, page: Page) -> None:
    hants = make_trial("CARA-HANTS", strata_factors={"area": [police_area("n", "North").code]})
    wmp = make_trial("CARA-WMP", strata_factors={"area": [police_area("w", "West").code]})
    researcher = make_user(Role.RESEARCHER, trial=hants, first_name="Rachel")
    grant(researcher, Role.RESEARCHER, wmp)
    page.goto(f"{live_server.url}/")
    sign_in(page, live_server.url, researcher)
    expect(page).to_have_url(f"{live_server.url}/research/")
    expect(page.get_by_test_id("current-trial")).to_contain_text("CARA-HANTS")

    page.get_by_label("Trial", exact=True).select_option(label="CARA-WMP")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(f"{live_server.url}/research/")
    expect(page.get_by_test_id("current-trial")).to_contain_text("CARA-WMP")
    expect(page.get_by_label("Trial", exact=True)).to_have_value(str(wmp.pk))
