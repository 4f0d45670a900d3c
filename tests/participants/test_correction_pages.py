"""The officer's page to correct screening answers, and the workshops part of the case page."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from common.models import User
from participants.models import CaseStatus, Participant
from tests.participants.test_views import form_data
from tests.support.cases import enrolled, screen, screening_input
from trial.models import Trial


@pytest.fixture
def officer_client(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def correction_data(trial: Trial, officer: User, **answers: Any) -> dict[str, Any]:
    data = form_data(screening_input(**answers), trial, officer)
    data["reason"] = "The DASH risk was clicked as high by mistake."
    return data


def test_an_officer_corrects_a_misclicked_answer_from_the_case_page(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = screen(trial, officer, dash_risk="high")
    page = officer_client.get(f"/officer/cases/{case.pk}/").content.decode()
    assert "Correct the screening answers" in page
    form_page = officer_client.get(f"/officer/cases/{case.pk}/correct/")
    assert form_page.context["form"].initial["dash_risk"] == "high"  # prefilled
    assert 'data-testid="retype"' in form_page.content.decode()  # names were removed
    response = officer_client.post(
        f"/officer/cases/{case.pk}/correct/", correction_data(trial, officer), follow=True
    )
    assert response.redirect_chain == [(f"/officer/cases/{case.pk}/", 302)]
    page = response.content.decode()
    assert "The answers are corrected and the case is eligible" in page
    assert "Record the victim's contact and decision" in page
    assert 'data-testid="corrections"' in page
    assert "DASH risk level" in page  # what changed, in the form's words
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENED


def test_the_reason_is_required_and_every_problem_is_summarised(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = screen(trial, officer, dash_risk="high")
    data = correction_data(
        trial, officer, arrest_date=timezone.localdate() - datetime.timedelta(30)
    )
    data["reason"] = ""
    response = officer_client.post(f"/officer/cases/{case.pk}/correct/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["reason"] == ["Say why the answers are corrected."]
    assert errors["arrest_date"] == ["The arrest date is before the offence date."]
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_reason"' in page
    case.refresh_from_db()
    assert case.status == CaseStatus.INELIGIBLE


def test_no_correction_after_the_window_or_enrolment(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    late = screen(trial, officer, 1, dash_risk="high")
    Participant.objects.filter(pk=late.pk).update(
        screened_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert "Correct the screening answers" not in (
        officer_client.get(f"/officer/cases/{late.pk}/").content.decode()
    )
    refused = officer_client.post(
        f"/officer/cases/{late.pk}/correct/", correction_data(trial, officer), follow=True
    )
    assert "for 7 days after screening" in refused.content.decode()
    done = enrolled(trial, officer, 2)
    assert "Correct the screening answers" not in (
        officer_client.get(f"/officer/cases/{done.pk}/").content.decode()
    )
    assert officer_client.get(f"/officer/cases/{done.pk}/correct/").status_code == 302
    late.refresh_from_db()
    assert late.status == CaseStatus.INELIGIBLE


def test_another_areas_officer_cannot_open_the_correction_page(
    client: Client, trial: Trial, officer: User, other_officer: User
) -> None:
    case = screen(trial, officer, dash_risk="high")
    client.force_login(other_officer)
    assert client.get(f"/officer/cases/{case.pk}/correct/").status_code == 404
    assert client.post(f"/officer/cases/{case.pk}/correct/", {}).status_code == 404


def _intervention_case(trial: Trial, officer: User) -> Participant:
    # Permuted blocks of at most six: six enrolments include both arms.
    for number in range(1, 7):
        case = enrolled(trial, officer, number)
        assert case.allocation is not None
        if case.allocation.arm.is_intervention:
            return case
    raise AssertionError("no intervention case in six")


def test_the_case_page_of_a_workshop_man_loads_his_workshops_for_the_officer(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = _intervention_case(trial, officer)
    page = officer_client.get(f"/officer/cases/{case.pk}/").content.decode()
    url = f"/officer/breaches/case/{case.pk}/"
    assert f'hx-get="{url}"' in page
    assert 'hx-trigger="load"' in page
    fragment = officer_client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "Not booked yet" in fragment.content.decode()


def test_token_form_is_harmless_when_replayed(
    officer_client: Client, trial: Trial, officer: User
) -> None:
    case = screen(trial, officer, dash_risk="high")
    data = correction_data(trial, officer)
    data["token"] = str(uuid.uuid4())
    officer_client.post(f"/officer/cases/{case.pk}/correct/", data)
    again = officer_client.post(f"/officer/cases/{case.pk}/correct/", data)
    assert again.status_code == 302
    assert case.corrections.count() == 1
