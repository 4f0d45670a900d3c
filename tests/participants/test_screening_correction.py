"""Correcting screening answers: eligibility worked out again, earlier answers kept, guarded."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import AuditEvent, User
from common.roles import Role
from participants.models import CaseStatus, Participant, ScreeningCorrection, Victim
from participants.services import (
    InvalidInputError,
    consent_record,
    participant_enrol,
    screening_correct,
)
from tests.support.cases import (
    AGREES,
    TODAY,
    consented,
    enrolled,
    screen,
    screening_input,
    victim_input,
)
from tests.support.factories import make_trial, make_user
from trial.models import Trial

REASON = "The DASH risk level was clicked as high by mistake."


def correct(case: Participant, by: User, **answers: Any) -> Participant:
    return screening_correct(
        participant=case,
        details=screening_input(**answers),
        reason=REASON,
        by=by,
    )


def test_a_case_closed_by_a_misclicked_answer_is_reopened_and_can_be_enrolled(
    trial: Trial, officer: User
) -> None:
    case = screen(trial, officer, dash_risk="high")
    assert case.status == CaseStatus.INELIGIBLE
    assert case.given_name is None

    corrected = correct(case, officer)

    corrected.refresh_from_db()
    assert corrected.status == CaseStatus.SCREENED
    assert corrected.eligible
    assert corrected.failed_criteria == []
    assert corrected.given_name == "Daniel"  # typed again on the correction
    record = ScreeningCorrection.objects.get(participant=case)
    assert record.reason == REASON
    assert record.changed == ["dash_risk"]
    assert record.previous["facts"]["dash_risk"] == "high"
    assert record.previous["failed"] == ["dash_risk"]
    assert (record.status_before, record.status_after) == ("ineligible", "screened")
    event = AuditEvent.objects.get(action="participant.screening_correct")
    assert event.detail["changed"] == ["dash_risk"]
    assert event.detail["eligible"] is True
    assert "Daniel" not in str(event.detail)
    assert REASON not in str(event.detail)
    # He goes on to the victim's consent and enrolment as any eligible case.
    consent_record(
        participant=corrected, victim=victim_input(), consent=AGREES, token=uuid.uuid4(), by=officer
    )
    enrolled_case = participant_enrol(
        participant=corrected, caution_given_on=TODAY, token=uuid.uuid4(), by=officer
    )
    assert enrolled_case.status == CaseStatus.ENROLLED


def test_a_correction_that_makes_a_case_ineligible_keeps_no_personal_data(
    trial: Trial, officer: User
) -> None:
    case = consented(trial, officer)
    pnc = case.pnc_id
    corrected = correct(case, officer, on_bail_or_order=True)
    corrected.refresh_from_db()
    assert corrected.status == CaseStatus.INELIGIBLE
    assert [f["code"] for f in corrected.failed_criteria] == ["bail_or_order"]
    for field in ("given_name", "family_name", "date_of_birth", "pnc_id", "phone", "email"):
        assert getattr(corrected, field) is None, field
    victim = Victim.objects.get(participant=case)
    assert victim.given_name is None
    assert victim.phone is None
    record = ScreeningCorrection.objects.get(participant=case)
    # The earlier answers kept are the non-personal facts: no name, birthday or PNC ID.
    kept = str(record.previous)
    for value in ("Daniel", "Marsh", "1990-05-17", str(pnc)):
        assert value not in kept
    assert record.previous["facts"]["on_bail_or_order"] is False


def test_a_corrected_personal_answer_is_named_but_its_old_value_is_not_kept(
    trial: Trial, officer: User
) -> None:
    case = screen(trial, officer, given_name="Danile")
    correct(case, officer)
    record = ScreeningCorrection.objects.get(participant=case)
    assert record.changed == ["given_name"]
    assert "Danile" not in str(record.previous)
    case.refresh_from_db()
    assert case.given_name == "Daniel"
    assert case.status == CaseStatus.SCREENED


def test_a_correction_needs_a_reason_and_a_change_and_changes_nothing_otherwise(
    trial: Trial, officer: User
) -> None:
    case = screen(trial, officer, dash_risk="high")
    with pytest.raises(InvalidInputError) as caught:
        screening_correct(participant=case, details=screening_input(), reason=" ", by=officer)
    assert caught.value.errors["reason"] == "Say why the answers are corrected."
    with pytest.raises(DomainError, match="Nothing was changed"):
        correct(case, officer, dash_risk="high")
    case.refresh_from_db()
    assert case.status == CaseStatus.INELIGIBLE
    assert not ScreeningCorrection.objects.exists()


def test_impossible_corrected_answers_are_all_refused_at_once(trial: Trial, officer: User) -> None:
    case = screen(trial, officer, dash_risk="high")
    valid = screening_input().pnc_id
    wrong = valid[:-1] + ("B" if valid.endswith("A") else "A")
    bad = screening_input(pnc_id=wrong, arrest_date=TODAY - datetime.timedelta(days=30))
    with pytest.raises(InvalidInputError) as caught:
        screening_correct(participant=case, details=bad, reason=REASON, by=officer)
    assert set(caught.value.errors) == {"pnc_id", "arrest_date"}


def test_the_same_correction_submitted_twice_is_recorded_once(trial: Trial, officer: User) -> None:
    case = screen(trial, officer, dash_risk="high")
    token = uuid.uuid4()
    for _ in range(2):
        screening_correct(
            participant=case, details=screening_input(), reason=REASON, by=officer, token=token
        )
    assert ScreeningCorrection.objects.count() == 1


def test_correction_is_refused_after_the_trials_window(trial: Trial, officer: User) -> None:
    case = screen(trial, officer, dash_risk="high")
    Participant.objects.filter(pk=case.pk).update(
        screened_at=timezone.now() - datetime.timedelta(days=8)
    )
    case.refresh_from_db()
    with pytest.raises(NotAllowedError, match="for 7 days after screening"):
        correct(case, officer)
    # A trial that allows longer lets the same case be corrected.
    Trial.objects.filter(pk=trial.pk).update(screening_correction_days=10)
    case.refresh_from_db()
    assert correct(case, officer).status == CaseStatus.SCREENED


def test_correction_is_refused_after_enrolment(trial: Trial, officer: User) -> None:
    case = enrolled(trial, officer)
    with pytest.raises(NotAllowedError, match="enrolled and randomised"):
        correct(case, officer, dash_risk="medium")
    assert not ScreeningCorrection.objects.exists()


def test_a_case_closed_by_the_victims_answers_is_not_reopened(trial: Trial, officer: User) -> None:
    case = consented(trial, officer, victim=victim_input(risk_raised=True, risk_details="fear"))
    assert case.status == CaseStatus.INELIGIBLE
    with pytest.raises(NotAllowedError, match="closed after the victim's answers"):
        correct(case, officer, dash_risk="medium")


def test_correction_is_refused_outside_the_officers_area_and_trial(
    trial: Trial, officer: User, other_officer: User
) -> None:
    case = screen(trial, officer, dash_risk="high")
    with pytest.raises(NotAllowedError, match="another area or trial"):
        correct(case, other_officer)
    other_trial = make_trial(code="OTHER")
    stranger = make_user(Role.OFFICER, trial=other_trial, police_area=officer.police_area)
    with pytest.raises(NotAllowedError, match="another area or trial"):
        correct(case, stranger)
    assert not ScreeningCorrection.objects.exists()


def test_a_trial_manager_may_correct_any_area(trial: Trial, officer: User) -> None:
    case = screen(trial, officer, dash_risk="high")
    manager = make_user(Role.TRIAL_MANAGER)
    assert correct(case, manager).status == CaseStatus.SCREENED


def test_reopening_is_refused_when_the_person_has_another_active_case(
    trial: Trial, officer: User
) -> None:
    closed = screen(trial, officer, dash_risk="high")
    screen(trial, officer, 2, pnc_id=screening_input(1).pnc_id)  # screened again, eligible
    with pytest.raises(ConflictError, match="already in trial CARA as CARA-0002"):
        correct(closed, officer)
    closed.refresh_from_db()
    assert closed.status == CaseStatus.INELIGIBLE


def test_the_window_is_a_trial_setting_in_plain_english(trial: Trial) -> None:
    from trial.forms import TrialSettingsForm

    field = TrialSettingsForm(instance=trial).fields["screening_correction_days"]
    assert field.label == "Days to correct screening answers"
    assert "after screening" in str(field.help_text)
    assert trial.screening_correction_days == 7
