"""The officer's pages: each role's walls, messages next to fields, double submissions, audit."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from common.models import AuditEvent, User
from participants.models import CaseStatus, Participant
from participants.services import ScreeningInput
from tests.support.cases import TODAY, consented, enrolled, screen, screening_input
from trial.models import Allocation, Trial
from trial.services import trial_transition


def form_data(details: ScreeningInput, trial: Trial, officer: User, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in dataclasses.fields(details):
        value = getattr(details, field.name)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif value is None:
            value = ""
        data[field.name] = value
    data.update(trial=trial.pk, police_area=officer.police_area_id, token=str(uuid.uuid4()))
    data.update(extra)
    return data


@pytest.fixture
def officer_client(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


@pytest.mark.smoke
def test_an_officer_screens_a_case_and_sees_every_reason_it_is_not_eligible(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    assert officer_client.get("/officer/screen/").status_code == 200
    details = screening_input(on_bail_or_order=True, dash_risk="high")
    response = officer_client.post(
        "/officer/screen/", form_data(details, trial, officer), follow=True
    )
    case = Participant.objects.get()
    assert response.redirect_chain == [(f"/officer/cases/{case.pk}/", 302)]
    page = response.content.decode()
    assert "Not eligible for CARA" in page
    assert "The DASH risk level is high; the trial takes standard or medium risk only." in page
    assert "on bail, or subject to a court order or community sentence" in page
    assert "Daniel" not in page  # ineligible: the name was never kept


def test_a_wrong_date_is_shown_next_to_its_field_and_nothing_is_saved(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    details = screening_input(arrest_date=TODAY - datetime.timedelta(days=30))
    response = officer_client.post("/officer/screen/", form_data(details, trial, officer))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["arrest_date"] == ["The arrest date is before the offence date."]
    assert 'id="error_1_id_arrest_date"' in response.content.decode()
    assert not Participant.objects.exists()


def test_html_typed_into_a_name_is_shown_as_text(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    details = screening_input(given_name='<script>alert("x")</script>')
    response = officer_client.post(
        "/officer/screen/", form_data(details, trial, officer), follow=True
    )
    page = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")' not in page


def test_a_double_click_or_retried_post_records_one_case(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    data = form_data(screening_input(), trial, officer)
    first = officer_client.post("/officer/screen/", data)
    second = officer_client.post("/officer/screen/", data)
    assert first["Location"] == second["Location"]
    assert Participant.objects.count() == 1


def test_the_same_person_in_a_second_tab_is_refused_on_the_pnc_field(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    officer_client.post("/officer/screen/", form_data(screening_input(), trial, officer))
    again = officer_client.post(
        "/officer/screen/",
        form_data(screening_input(2, pnc_id=screening_input(1).pnc_id), trial, officer),
    )
    assert again.status_code == 200
    assert "already in trial CARA as CARA-0001" in again.context["form"].errors["pnc_id"][0]
    assert Participant.objects.count() == 1


def test_an_overlong_address_is_refused_next_to_the_field_and_nothing_is_saved(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    response = officer_client.post(
        "/officer/screen/", form_data(screening_input(address="x" * 501), trial, officer)
    )
    assert response.status_code == 200
    assert "at most 500 characters" in response.context["form"].errors["address"][0]
    assert Participant.objects.count() == 0


def test_a_wrong_pnc_check_letter_is_reported_with_the_missing_answers(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    response = officer_client.post(
        "/officer/screen/",
        {"token": str(uuid.uuid4()), "trial": trial.pk, "pnc_id": "14/0123456A"},
    )
    errors = response.context["form"].errors
    assert "check letter does not match" in errors["pnc_id"][0]
    assert "offence_date" in errors
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page
    assert 'href="#id_pnc_id"' in page
    assert 'href="#id_sex_0"' in page  # a radio group links to its first choice
    assert "{#" not in page
    assert "{% comment" not in page
    assert Participant.objects.count() == 0


def test_consent_then_enrol_shows_the_arm_and_what_it_means(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = screen(trial, officer)
    consent_page = officer_client.post(
        f"/officer/cases/{case.pk}/consent/",
        {
            "token": str(uuid.uuid4()),
            "given_name": "Sarah",
            "family_name": "Marsh",
            "contacted": "yes",
            "contacted_on": TODAY.isoformat(),
            "risk_raised": "no",
            "decision": "given",
            "decided_on": TODAY.isoformat(),
            "method": "telephone",
        },
        follow=True,
    )
    assert "Enrol and randomise" in consent_page.content.decode()
    assert officer_client.get(f"/officer/cases/{case.pk}/enrol/").status_code == 405
    enrol = {"token": str(uuid.uuid4()), "caution_given_on": TODAY.isoformat()}
    response = officer_client.post(f"/officer/cases/{case.pk}/enrol/", enrol, follow=True)
    assert response.redirect_chain[-1][0] == f"/officer/cases/{case.pk}/randomised/"
    case.refresh_from_db()
    assert case.allocation is not None
    page = response.content.decode()
    assert case.allocation.arm.name in page
    if case.allocation.arm.is_intervention:
        assert "attending both workshops by the deadline" in page
        assert f"{case.workshop_deadline:%d/%m/%Y}" in page
    else:
        assert "the non-reoffending condition only" in page
    # The back button and a resubmission, or another tab: still one allocation.
    officer_client.post(f"/officer/cases/{case.pk}/enrol/", enrol)
    other_tab = officer_client.post(
        f"/officer/cases/{case.pk}/enrol/", {**enrol, "token": str(uuid.uuid4())}, follow=True
    )
    assert "already enrolled and randomised" in other_tab.content.decode()
    assert Allocation.objects.count() == 1


def test_the_printable_conditions_sheet_names_the_man_and_is_audited(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    page = officer_client.get(f"/officer/cases/{case.pk}/conditions/").content.decode()
    assert "Daniel Marsh" in page
    assert 'class="sheet' in page  # printed by app.css's @media print rules (no inline style)
    assert ".sheet" in (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert "Not to commit any further offence" in page
    assert AuditEvent.objects.filter(
        action="participant.view", object_id=str(case.pk), detail__page="conditions"
    ).exists()


@pytest.mark.parametrize("role", ["counsellor", "researcher", "data_manager"])
def test_other_roles_cannot_open_screening_pages_or_victims(
    client: Client, trial: Trial, officer: User, role: str, request: pytest.FixtureRequest
) -> None:
    case = consented(trial, officer)
    client.force_login(request.getfixturevalue(role))
    for path in (
        "/officer/",
        "/officer/screen/",
        f"/officer/cases/{case.pk}/",
        f"/officer/cases/{case.pk}/consent/",
        f"/officer/cases/{case.pk}/conditions/",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Sarah" not in response.content.decode()


def test_officers_cannot_see_another_areas_cases(
    client: Client, trial: Trial, officer: User, other_officer: User
) -> None:
    case = enrolled(trial, officer)
    client.force_login(other_officer)
    for path in ("", "consent/", "randomised/", "conditions/", "withdraw/"):
        assert client.get(f"/officer/cases/{case.pk}/{path}").status_code == 404, path
    assert client.post(f"/officer/cases/{case.pk}/enrol/", {}).status_code == 404
    listing = client.get("/officer/").content.decode()
    assert case.pseudonym not in listing
    assert list(client.get("/officer/", {"q": case.pseudonym}).context["page"].object_list) == []


def test_trial_managers_see_every_area_and_each_look_is_audited(
    client: Client, trial: Trial, officer: User, trial_manager: User
) -> None:
    case = consented(trial, officer)
    client.force_login(trial_manager)
    assert case.pseudonym in client.get("/officer/cases/").content.decode()
    page = client.get(f"/officer/cases/{case.pk}/").content.decode()
    assert "Daniel Marsh" in page
    assert "Sarah Marsh" in page
    event = AuditEvent.objects.get(action="participant.view", actor=trial_manager)
    assert event.detail == {"participant": case.pseudonym, "page": "case"}


def test_dashboard_counts_by_status_and_finds_a_custody_reference(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    screen(trial, officer, 1)
    screen(trial, officer, 2, dash_risk="high")
    enrolled(trial, officer, 3)
    page = officer_client.get("/officer/")
    counts = {b.key: n for b, n in page.context["buckets"]}
    assert counts["screened"] == 1
    assert counts["ineligible"] == 1
    assert counts["enrolled"] == 1
    assert counts["breach"] == 0
    found = officer_client.get("/officer/", {"q": " 44/00002/26 "}).context["page"].object_list
    assert [c.pseudonym for c in found] == ["CARA-0002"]
    found = officer_client.get("/officer/", {"q": "cara-0003"}).context["page"].object_list
    assert [c.status for c in found] == [CaseStatus.ENROLLED]
    listed = officer_client.get("/officer/", {"bucket": "ineligible"}).context["page"].object_list
    assert [c.pseudonym for c in listed] == ["CARA-0002"]


def test_a_caution_date_in_the_future_is_refused_next_to_the_field(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = consented(trial, officer)
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = officer_client.post(
        f"/officer/cases/{case.pk}/enrol/",
        {"token": str(uuid.uuid4()), "caution_given_on": tomorrow.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["enrol_form"].errors["caution_given_on"] == [
        "The caution date is in the future."
    ]
    assert "The caution date is in the future." in response.content.decode()
    assert not Allocation.objects.exists()


def test_a_trial_wide_refusal_is_shown_above_the_enrol_form(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = consented(trial, officer)
    trial_transition(trial=trial, to_status="recruitment_closed", by=None)
    response = officer_client.post(
        f"/officer/cases/{case.pk}/enrol/",
        {"token": str(uuid.uuid4()), "caution_given_on": TODAY.isoformat()},
    )
    assert response.status_code == 400
    assert response.content.decode().count("not recruiting: nobody can be randomised now") == 1


def test_the_admin_shows_trial_managers_no_personal_data(
    client: Client, trial: Trial, officer: User, trial_manager: User
) -> None:
    case = enrolled(trial, officer)
    client.force_login(trial_manager)
    listing = client.get("/admin/participants/participant/")
    assert listing.status_code == 200
    assert case.pseudonym in listing.content.decode()
    detail = client.get(f"/admin/participants/participant/{case.pk}/change/").content.decode()
    assert case.pseudonym in detail
    assert "Daniel" not in detail
    assert screening_input().pnc_id not in detail
