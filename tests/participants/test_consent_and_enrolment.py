"""Victim consent, enrolment with randomisation in one step, and withdrawal of consent."""

from __future__ import annotations

import datetime
import uuid

import pytest

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import AuditEvent, User
from participants.models import CaseStatus, Participant, Victim
from participants.services import (
    ConsentInput,
    InvalidInputError,
    consent_record,
    consent_withdraw,
    participant_enrol,
)
from tests.support.cases import (
    AGREES,
    REFUSES,
    TODAY,
    consented,
    enrolled,
    screen,
    victim_input,
)
from trial.models import Allocation, Trial
from trial.services import trial_transition


def test_consent_makes_the_case_ready_to_enrol(trial: Trial, officer: User) -> None:
    case = consented(trial, officer)
    assert case.status == CaseStatus.CONSENTED
    assert case.victim.full_name == "Sarah Marsh"
    assert case.consent.recorded_by == officer


@pytest.mark.parametrize(
    ("victim", "consent", "status", "codes"),
    [
        ({}, REFUSES, CaseStatus.DECLINED, ["victim_consent"]),
        (
            {"risk_raised": True, "risk_details": "He has threatened her"},
            AGREES,
            CaseStatus.INELIGIBLE,
            ["victim_risk"],
        ),
        (
            {"contacted": False, "contacted_on": None},
            REFUSES,
            CaseStatus.INELIGIBLE,
            ["victim_contacted", "victim_consent"],
        ),
    ],
)
def test_a_victim_who_refuses_or_raises_a_risk_closes_the_case_and_nothing_personal_is_kept(
    trial: Trial,
    officer: User,
    victim: dict[str, object],
    consent: ConsentInput,
    status: str,
    codes: list[str],
) -> None:
    case = screen(trial, officer)
    case = consent_record(
        participant=case,
        victim=victim_input(**victim),
        consent=consent,
        token=uuid.uuid4(),
        by=officer,
    )
    case.refresh_from_db()
    assert case.status == status
    assert [f["code"] for f in case.failed_criteria] == codes
    assert case.given_name is None
    assert case.pnc_id is None
    record = Victim.objects.get(participant=case)
    assert record.given_name is None
    assert record.risk_details is None
    assert record.phone is None


def test_consent_cannot_be_recorded_for_a_victim_not_contacted(trial: Trial, officer: User) -> None:
    case = screen(trial, officer)
    with pytest.raises(InvalidInputError) as caught:
        consent_record(
            participant=case,
            victim=victim_input(contacted=False, contacted_on=None),
            consent=AGREES,
            token=uuid.uuid4(),
            by=officer,
        )
    assert "after the victim has been contacted" in caught.value.errors["decision"]
    assert not Victim.objects.exists()


def test_a_second_consent_form_is_refused_and_a_replay_is_harmless(
    trial: Trial, officer: User
) -> None:
    case = screen(trial, officer)
    token = uuid.uuid4()
    for _ in range(2):
        consent_record(
            participant=case, victim=victim_input(), consent=AGREES, token=token, by=officer
        )
    with pytest.raises(ConflictError, match="already recorded"):
        consent_record(
            participant=case, victim=victim_input(), consent=REFUSES, token=uuid.uuid4(), by=officer
        )
    assert AuditEvent.objects.filter(action="participant.consent").count() == 1


@pytest.mark.smoke
def test_enrolment_randomises_and_sets_the_deadline_from_the_caution_date(
    trial: Trial, officer: User
) -> None:
    caution = TODAY - datetime.timedelta(days=1)
    case = consented(trial, officer)
    case = participant_enrol(
        participant=case, caution_given_on=caution, token=uuid.uuid4(), by=officer
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED
    assert case.allocation is not None
    assert case.allocation.participant_key == "CARA-0001"
    assert case.allocation.arm.code in {"cara", "control"}
    assert case.compliance_ends_on == caution + datetime.timedelta(weeks=16)
    if case.allocation.arm.is_intervention:
        assert case.workshop_deadline == caution + datetime.timedelta(weeks=16)
    else:
        assert case.workshop_deadline is None
    assert case.age_at_randomisation == case.age_at_offence
    event = AuditEvent.objects.get(action="participant.enrol")
    assert event.detail == {
        "trial": "CARA",
        "participant": "CARA-0001",
        "allocation": case.allocation.pk,
    }


def test_both_arms_get_their_own_deadline_rule(trial: Trial, officer: User) -> None:
    cases = [enrolled(trial, officer, n) for n in range(1, 9)]
    arms = {c.allocation.arm.code for c in cases if c.allocation}
    assert arms == {"cara", "control"}  # 8 in blocks of at most 6: both arms appear
    for case in cases:
        assert case.allocation is not None
        assert (case.workshop_deadline is not None) == case.allocation.arm.is_intervention


def test_enrolling_twice_randomises_once(trial: Trial, officer: User) -> None:
    case = consented(trial, officer)
    token = uuid.uuid4()
    first = participant_enrol(participant=case, caution_given_on=TODAY, token=token, by=officer)
    again = participant_enrol(participant=case, caution_given_on=TODAY, token=token, by=officer)
    assert first.allocation_id == again.allocation_id
    with pytest.raises(ConflictError, match="already enrolled and randomised"):
        participant_enrol(participant=case, caution_given_on=TODAY, token=uuid.uuid4(), by=officer)
    assert Allocation.objects.count() == 1


def test_the_refusal_of_a_second_enrolment_gives_the_local_date(
    trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    utc_evening = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    Participant.objects.filter(pk=case.pk).update(enrolled_at=utc_evening)
    with pytest.raises(ConflictError, match="on 01/07/2026"):
        participant_enrol(participant=case, caution_given_on=TODAY, token=uuid.uuid4(), by=officer)


def test_enrolment_is_refused_without_consent_and_changes_nothing(
    trial: Trial, officer: User
) -> None:
    case = screen(trial, officer)
    with pytest.raises(NotAllowedError, match="cannot become enrolled"):
        participant_enrol(participant=case, caution_given_on=TODAY, token=uuid.uuid4(), by=officer)
    ready = consented(trial, officer, 2)
    with pytest.raises(DomainError, match="caution date is in the future"):
        participant_enrol(
            participant=ready,
            caution_given_on=TODAY + datetime.timedelta(days=1),
            token=uuid.uuid4(),
            by=officer,
        )
    assert Allocation.objects.count() == 0
    assert Participant.objects.filter(status=CaseStatus.ENROLLED).count() == 0


def test_a_refused_randomisation_leaves_the_case_ready(trial: Trial, officer: User) -> None:
    case = consented(trial, officer)
    trial_transition(trial=trial, to_status="recruitment_closed", by=None)
    with pytest.raises(NotAllowedError, match="not recruiting"):
        participant_enrol(participant=case, caution_given_on=TODAY, token=uuid.uuid4(), by=officer)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONSENTED
    assert case.allocation is None
    assert not AuditEvent.objects.filter(action="participant.enrol").exists()


def test_withdrawal_after_enrolment_keeps_the_participant_in_the_trial(
    trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    case = consent_withdraw(participant=case, withdrawn_on=TODAY, reason="Reconciled", by=officer)
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED
    assert case.allocation is not None
    assert case.consent.withdrawn_on == TODAY
    assert case.given_name == "Daniel"  # still needed for his caution and workshops
    with pytest.raises(ConflictError, match="already recorded"):
        consent_withdraw(participant=case, withdrawn_on=TODAY, reason="Again", by=officer)
    event = AuditEvent.objects.get(action="participant.consent_withdraw")
    assert "Reconciled" not in str(event.detail)


def test_withdrawal_before_enrolment_closes_the_case(trial: Trial, officer: User) -> None:
    case = consented(trial, officer)
    with pytest.raises(DomainError, match="Give the reason"):
        consent_withdraw(participant=case, withdrawn_on=TODAY, reason=" ", by=officer)
    case = consent_withdraw(
        participant=case, withdrawn_on=TODAY, reason="Changed her mind", by=officer
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECLINED
    assert case.given_name is None
    assert case.victim.given_name is None
    with pytest.raises(NotAllowedError, match="cannot become enrolled"):
        participant_enrol(participant=case, caution_given_on=TODAY, token=uuid.uuid4(), by=officer)
