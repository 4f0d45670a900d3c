"""A counsellor books a man and records a no-show (or corrects one); the officer sees the result."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from common.models import Provider, User
from tests.support.browser import sign_in as browser_sign_in
from trial.models import Trial
from workshops.models import Cycle
from workshops.services import attendance_record, booking_create

from .conftest import enrol_in_arm


def sign_in(page: Page, live_server: LiveServer, user: User) -> None:
    browser_sign_in(page, live_server.url, user)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counsellor_books_a_man_records_a_no_show_and_the_officer_sees_the_breach(
    live_server: LiveServer,
    page: Page,
    trial: Trial,
    counsellor: User,
    officer: User,
    delivered: Provider,
) -> None:
    man = enrol_in_arm(trial, officer, True, given_name="Gareth")
    # A cycle that began an hour ago: still open for booking, and attendance can be recorded.
    starts = datetime.datetime.now() - datetime.timedelta(hours=1)  # noqa: DTZ005 (browser local time)

    sign_in(page, live_server, counsellor)
    expect(page).to_have_url(f"{live_server.url}/counsellor/")
    page.get_by_role("link", name="New cycle").first.click()
    page.get_by_label("Part 1 starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Venue").fill("Hampton Trust, Fareham")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Created cycle 1.")).to_be_visible()

    page.get_by_role("link", name="Workshops").first.click()
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text(man.pseudonym)
    queue.get_by_role("link", name=man.pseudonym).click()
    expect(page.get_by_test_id("details")).to_contain_text(str(man.phone))
    expect(page.get_by_label("Cycle")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text(f"{man.pseudonym} booked into cycle 1.")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("Booked")

    page.get_by_role("link", name="Workshops").first.click()
    page.get_by_test_id("awaiting").get_by_role("link", name="Part 1, cycle 1").click()
    row = page.locator(f'tr[data-pseudonym="{man.pseudonym}"]')
    row.get_by_label(f"Attendance of {man.pseudonym}").select_option("did_not_attend")
    page.get_by_role("button", name="Save the register").click()
    expect(page.get_by_text(f"Attendance recorded for {man.pseudonym}.")).to_be_visible()
    expect(page.locator(f'tr[data-pseudonym="{man.pseudonym}"]')).to_contain_text("Breach")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, officer)
    page.get_by_role("link", name="Breaches").click()
    open_breaches = page.get_by_test_id("open-breaches")
    expect(open_breaches).to_contain_text(man.pseudonym)
    expect(open_breaches).to_contain_text("Did not attend")
    open_breaches.get_by_role("link", name="Decide").click()
    page.get_by_label("Prosecute for the original offence").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("consequence")).to_contain_text("The decision is final")
    page.get_by_role("button", name="Yes, prosecute for the original offence").click()
    expect(page.get_by_test_id("decided-breaches")).to_contain_text(man.pseudonym)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counsellor_corrects_a_no_show_and_the_breach_leaves_the_officers_list(
    live_server: LiveServer,
    page: Page,
    trial: Trial,
    counsellor: User,
    officer: User,
    make_cycle: Callable[..., Cycle],
    delivered: Provider,
) -> None:
    man = enrol_in_arm(trial, officer, True, given_name="Gareth")
    cycle = make_cycle(starts_at=timezone.now() - datetime.timedelta(hours=6))
    first, _ = booking_create(
        participant=man, cycle=cycle, by=counsellor, at=timezone.now() - datetime.timedelta(days=1)
    )
    attendance_record(booking=first, attendance="did_not_attend", by=counsellor)

    sign_in(page, live_server, counsellor)
    page.goto(f"{live_server.url}{reverse('workshops:session', args=[first.session_id])}")
    row = page.locator(f'tr[data-pseudonym="{man.pseudonym}"]')
    expect(row).to_contain_text("Breach")
    row.locator("summary").click()  # opens the correction box
    row.get_by_label(f"Corrected attendance of {man.pseudonym}").select_option("attended")
    row.get_by_label(f"Why the attendance of {man.pseudonym} was wrong").fill(
        "Ticked the wrong row: he is on the paper register"
    )
    row.get_by_role("button", name=f"Correct the attendance of {man.pseudonym}").click()
    expect(page.get_by_text(f"Attendance of {man.pseudonym} corrected.")).to_be_visible()
    row = page.locator(f'tr[data-pseudonym="{man.pseudonym}"]')
    expect(row).to_contain_text("Breach withdrawn")
    expect(row.get_by_test_id("corrected")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, officer)
    page.get_by_role("link", name="Breaches").click()
    expect(page.get_by_text("No breach awaits a decision.")).to_be_visible()
    expect(page.get_by_test_id("open-breaches")).to_have_count(0)
