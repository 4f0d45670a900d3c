"""Every problem of a form in one round, in the GOV.UK error summary, and no hint at a PNC check."""

from __future__ import annotations

import datetime
import re
import string
import uuid

import pytest
from django.test import Client

from common.models import User
from participants.models import Participant
from tests.participants.test_views import form_data
from tests.support.cases import TODAY, consented, enrolled, screen, screening_input
from trial.models import Trial

FORM_TAG = re.compile(r"<form\b[^>]*>")


@pytest.fixture
def officer_client(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def summary_items(page: str) -> list[tuple[str, str]]:
    """Return the (link target, words) of each item of the error summary."""
    summary = page.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]+)</a>', summary)


def inline_message(page: str, field_id: str) -> str:
    found = re.search(rf'id="error_\d+_{field_id}"[^>]*>\s*<strong>([^<]+)</strong>', page)
    assert found, field_id
    return found.group(1).strip()


def test_a_wrong_check_letter_is_refused_without_naming_any_letter(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    valid = screening_input().pnc_id
    for wrong in {letter for letter in "ABDLMZ" if letter != valid[-1]}:
        details = screening_input(pnc_id=valid[:-1] + wrong)
        response = officer_client.post("/officer/screen/", form_data(details, trial, officer))
        message = response.context["form"].errors["pnc_id"][0]
        assert "check letter does not match" in message
        # No standalone capital letter: nothing reads as "it should be X".
        words = message.replace("PNC ID", "").replace("ID", "")
        for letter in string.ascii_uppercase:
            assert not re.search(rf"\b{letter}\b", words), (letter, message)
        (summary_words,) = [words for target, words in summary_items(response.content.decode())]
        assert summary_words == message  # the summary says no more than the field
    assert not Participant.objects.exists()


def test_a_wrong_pnc_id_hides_no_other_problem_and_the_summary_links_each(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    valid = screening_input().pnc_id
    details = screening_input(
        pnc_id=valid[:-1] + ("B" if valid.endswith("A") else "A"),
        arrest_date=TODAY - datetime.timedelta(days=30),
        custody_reference="?",
    )
    response = officer_client.post("/officer/screen/", form_data(details, trial, officer))
    errors = response.context["form"].errors
    assert set(errors) == {"pnc_id", "arrest_date", "custody_reference"}
    page = response.content.decode()
    assert "There is a problem" in page
    items = summary_items(page)
    # In the order of the page, each in the same words as next to its field.
    assert [target for target, _ in items] == [
        "id_custody_reference",
        "id_pnc_id",
        "id_arrest_date",
    ]
    for target, words in items:
        assert words == inline_message(page, target)
    assert "<title>Error: Screen a case" in page


def test_an_empty_screening_form_reports_every_missing_answer_at_once(
    officer_client: Client, trial: Trial
) -> None:
    response = officer_client.post("/officer/screen/", {"token": str(uuid.uuid4())})
    form = response.context["form"]
    for field in ("given_name", "date_of_birth", "sex", "pnc_id", "offence_date", "dash_risk"):
        assert field in form.errors, field
    items = dict(summary_items(response.content.decode()))
    assert items["id_date_of_birth"] == "Enter the offender&#x27;s date of birth."
    assert items["id_sex_0"] == "Choose the offender&#x27;s sex."  # a radio group: its first choice
    assert items["id_pnc_id"] == "Enter the PNC ID."
    assert "This field is required." not in response.content.decode()


def test_the_consent_form_reports_all_its_problems_at_once(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = screen(trial, officer)
    response = officer_client.post(
        f"/officer/cases/{case.pk}/consent/",
        {
            "token": str(uuid.uuid4()),
            "contacted": "no",
            "contacted_on": TODAY.isoformat(),
            "risk_raised": "yes",
            "decision": "given",
            "decided_on": (TODAY + datetime.timedelta(days=2)).isoformat(),
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"contacted_on", "risk_details", "decided_on", "decision", "method"}
    page = response.content.decode()
    assert "There is a problem" in page
    for target, words in summary_items(page):
        assert words == inline_message(page, target.removesuffix("_0"))


def test_every_form_of_the_officers_pages_leaves_checking_to_the_server(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    screened = screen(trial, officer, 1)
    ready = consented(trial, officer, 2)
    done = enrolled(trial, officer, 3)
    pages = [
        "/officer/",
        "/officer/screen/",
        f"/officer/cases/{screened.pk}/consent/",
        f"/officer/cases/{screened.pk}/correct/",
        f"/officer/cases/{ready.pk}/",
        f"/officer/cases/{done.pk}/withdraw/",
    ]
    for url in pages:
        page = officer_client.get(url).content.decode()
        main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        forms = FORM_TAG.findall(main)
        assert forms, url
        for tag in forms:
            assert "novalidate" in tag, (url, tag)


def test_the_enrol_form_error_is_summarised_with_a_link_to_its_field(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = consented(trial, officer)
    response = officer_client.post(
        f"/officer/cases/{case.pk}/enrol/", {"token": str(uuid.uuid4()), "caution_given_on": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert summary_items(page) == [
        ("id_caution_given_on", "Enter the date the conditional caution is given.")
    ]
    assert inline_message(page, "id_caution_given_on") == (
        "Enter the date the conditional caution is given."
    )
