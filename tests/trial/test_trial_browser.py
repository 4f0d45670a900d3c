"""A trial manager verifies the chain and reads the balance in the system Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from common.roles import Role
from tests.support.browser import sign_in
from tests.support.factories import make_user

from .support import claim, make_trial, roles_restore


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_trial_manager_verifies_the_chain_and_reads_the_balance(live_server, page: Page) -> None:
    roles_restore()  # earlier transactional tests flushed the groups
    trial = make_trial()
    for n in range(1, 7):
        claim(trial, n, "north" if n % 2 else "south")
    manager = make_user(Role.TRIAL_MANAGER)
    sign_in(page, live_server.url, manager)
    expect(page).to_have_url(f"{live_server.url}/trial/")
    row = page.get_by_test_id("trial-CARA")
    expect(row.get_by_test_id("chain-result")).to_contain_text("not yet verified")
    row.get_by_role("button", name="Verify chain now").click()
    expect(page.get_by_role("status")).to_contain_text("Chain verified: 6 rows verified")
    expect(page.get_by_test_id("trial-CARA").get_by_test_id("chain-result")).to_contain_text(
        "Intact"
    )
    page.get_by_test_id("trial-CARA").get_by_role("link", name="Balance").click()
    overall = page.get_by_test_id("overall")
    expect(overall).to_contain_text("All strata")
    expect(overall.locator("tr.fw-bold td").last).to_have_text("6")
    expect(page.get_by_role("img", name="Participants randomised per month")).to_be_visible()
