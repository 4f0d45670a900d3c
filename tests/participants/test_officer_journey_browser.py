"""An officer in the system Chromium: an ineligible case and why, then an enrolment and its arm."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from common.models import User
from participants.models import Participant
from tests.support.browser import sign_in
from tests.support.cases import TODAY, screening_input
from trial.models import Trial


def fill_screening(page: Page, number: int, dash_risk: str) -> None:
    details = screening_input(number)
    page.get_by_label("Given name(s)").fill(details.given_name)
    page.get_by_label("Family name").fill(details.family_name)
    page.get_by_label("Date of birth").fill(details.date_of_birth.isoformat())
    page.get_by_label("PNC ID").fill(details.pnc_id)
    page.get_by_label("Custody reference").fill(details.custody_reference)
    page.get_by_label("Date of the offence").fill(details.offence_date.isoformat())
    page.get_by_label("Date of arrest").fill(details.arrest_date.isoformat())
    page.get_by_label("Offence type").select_option("common_assault")
    page.get_by_label("Admission").select_option("admitted")
    page.get_by_label("Victim's relationship").select_option("current_partner")
    answers = {
        "sex": "male",
        "dash_risk": dash_risk,
        "interpreter_needed": "no",
        "appropriate_adult_needed": "no",
        "first_domestic_offence": "yes",
        "on_bail_or_order": "no",
        "caution_offered": "yes",
    }
    for name, value in answers.items():
        page.locator(f'input[name="{name}"][value="{value}"]').check()
    page.get_by_role("button", name="Record screening and check eligibility").click()


@pytest.mark.browser
@pytest.mark.usefixtures("committed")
def test_officer_screens_an_ineligible_case_then_enrols_and_sees_the_arm(
    live_server: object, page: Page, trial: Trial, officer: User
) -> None:
    url = str(live_server.url)  # type: ignore[attr-defined]
    sign_in(page, url, officer)
    expect(page).to_have_url(f"{url}/officer/")

    page.get_by_role("link", name="Screen a new case").click()
    fill_screening(page, 1, dash_risk="high")
    expect(page.get_by_test_id("status")).to_have_text("Ineligible")
    expect(page.get_by_test_id("failed-criteria")).to_contain_text(
        "The DASH risk level is high; the trial takes standard or medium risk only."
    )

    page.get_by_role("link", name="Screen a case", exact=True).click()
    fill_screening(page, 2, dash_risk="standard")
    expect(page.get_by_test_id("eligibility")).to_contain_text(
        "Eligible on the offender's criteria"
    )
    page.get_by_role("link", name="Record the victim's contact and decision").click()
    page.get_by_label("Victim's given name(s)").fill("Sarah")
    page.locator('input[name="contacted"][value="yes"]').check()
    page.get_by_label("Date of contact").fill(TODAY.isoformat())
    page.locator('input[name="risk_raised"][value="no"]').check()
    page.locator('input[name="decision"][value="given"]').check()
    page.get_by_label("How it was obtained").select_option("telephone")
    page.get_by_role("button", name="Record the victim's decision").click()

    expect(page.get_by_test_id("status")).to_have_text("Ready to enrol")
    page.get_by_role("button", name="Enrol and randomise").click()
    expect(page).to_have_url(re.compile(r"/officer/cases/\d+/randomised/$"))
    case = Participant.objects.get(number=2)
    assert case.allocation is not None
    expect(page.get_by_test_id("arm")).to_have_text(case.allocation.arm.name)
    meaning = (
        "The conditions include attending both workshops by the deadline."
        if case.allocation.arm.is_intervention
        else "Control arm: the non-reoffending condition only"
    )
    expect(page.get_by_role("main")).to_contain_text(meaning)


@pytest.mark.browser
@pytest.mark.usefixtures("committed")
def test_errors_come_at_once_in_a_focused_summary_whose_links_reach_each_field(
    live_server: object, page: Page, trial: Trial, officer: User
) -> None:
    url = str(live_server.url)  # type: ignore[attr-defined]
    sign_in(page, url, officer)
    page.goto(f"{url}/officer/screen/")
    # An empty form is sent (no browser bubbles: novalidate) and every problem comes back.
    page.get_by_role("button", name="Record screening and check eligibility").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: Screen a case"))
    expect(summary.get_by_role("link", name="Enter the PNC ID.")).to_be_visible()
    # Keyboard only: Tab to the summary's links; Enter puts the focus in the field.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    summary.get_by_role("link", name="Choose the offender's sex.").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_sex_0")).to_be_focused()
    # The radio group's own message is shown next to it, not only in the summary.
    expect(page.locator("#error_1_id_sex")).to_be_visible()


@pytest.mark.browser
@pytest.mark.usefixtures("committed")
def test_an_officer_corrects_a_misclicked_risk_and_the_case_reopens(
    live_server: object, page: Page, trial: Trial, officer: User
) -> None:
    url = str(live_server.url)  # type: ignore[attr-defined]
    sign_in(page, url, officer)
    page.goto(f"{url}/officer/screen/")
    fill_screening(page, 1, dash_risk="high")
    expect(page.get_by_test_id("status")).to_have_text("Ineligible")
    page.get_by_role("link", name="Correct the screening answers").click()
    details = screening_input(1)
    page.get_by_label("Given name(s)").fill(details.given_name)
    page.get_by_label("Family name").fill(details.family_name)
    page.get_by_label("Date of birth").fill(details.date_of_birth.isoformat())
    page.get_by_label("PNC ID").fill(details.pnc_id)
    page.locator('input[name="dash_risk"][value="standard"]').check()
    page.get_by_label("Why are the answers corrected?").fill("Risk clicked as high by mistake.")
    page.get_by_role("button", name="Save the corrected answers").click()
    expect(page.get_by_test_id("status")).to_have_text("Screened: awaiting victim consent")
    expect(page.get_by_test_id("corrections")).to_contain_text("Risk clicked as high by mistake.")
