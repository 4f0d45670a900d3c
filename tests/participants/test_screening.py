"""Screening: eligibility stored with its rules, bad input refused per field, nothing partial."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from common.crypto import person_key
from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import AuditEvent, PoliceArea, User
from participants.models import CaseStatus, Participant
from participants.services import InvalidInputError, rule_set_publish, screening_record
from tests.support.cases import TODAY, screen, screening_input
from tests.support.factories import police_area
from trial.models import Trial
from trial.services import trial_transition

DAY = datetime.timedelta(days=1)
VALID = screening_input(1).pnc_id
WRONG_CHECK = VALID[:-1] + ("B" if VALID.endswith("A") else "A")


@pytest.mark.smoke
def test_an_eligible_case_gets_a_trial_id_and_waits_for_the_victim(
    trial: Trial, officer: User
) -> None:
    case = screen(trial, officer)
    assert case.pseudonym == "CARA-0001"
    assert case.status == CaseStatus.SCREENED
    assert case.eligible
    assert case.failed_criteria == []
    assert case.rule_set.version == 1
    assert case.pnc_id == VALID
    assert case.person_key == person_key(VALID)
    assert case.custody_reference == "44/00001/26"
    assert screen(trial, officer, 2).pseudonym == "CARA-0002"
    event = AuditEvent.objects.get(action="participant.screen", object_id=str(case.pk))
    assert event.detail["participant"] == "CARA-0001"
    assert "Marsh" not in str(event.detail)
    assert VALID not in str(event.detail)


def test_an_ineligible_case_keeps_its_reasons_and_forgets_the_person(
    trial: Trial, officer: User
) -> None:
    case = screen(
        trial,
        officer,
        dash_risk="high",
        date_of_birth=TODAY.replace(year=TODAY.year - 16, month=1, day=1),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.INELIGIBLE
    assert [f["code"] for f in case.failed_criteria] == ["age", "dash_risk"]
    for field in ("given_name", "family_name", "date_of_birth", "pnc_id", "phone", "email"):
        assert getattr(case, field) is None, field
    assert case.age_at_offence == 16  # enough for the screening log, not the birthday
    assert case.custody_reference
    assert case.offence_type == "common_assault"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"offence_date": TODAY + DAY, "arrest_date": TODAY + DAY}, "offence_date", "future"),
        (
            {"offence_date": datetime.date(1989, 1, 1), "arrest_date": datetime.date(1989, 1, 2)},
            "offence_date",
            "before the offender's date of birth",
        ),
        ({"arrest_date": TODAY - datetime.timedelta(days=10)}, "arrest_date", "before the offence"),
        ({"date_of_birth": TODAY + DAY}, "date_of_birth", "future"),
        ({"pnc_id": WRONG_CHECK}, "pnc_id", "check letter"),
        ({"pnc_id": "not a pnc"}, "pnc_id", "looks like"),
        ({"last_violence_on": TODAY}, "last_violence_on", "before this offence"),
        ({"custody_reference": "<b>"}, "custody_reference", "letters, digits"),
    ],
)
def test_impossible_facts_are_refused_next_to_their_field_and_nothing_is_saved(
    trial: Trial, officer: User, change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        screen(trial, officer, **change)
    assert message in caught.value.errors[field]
    assert Participant.objects.count() == 0
    assert not AuditEvent.objects.filter(action="participant.screen").exists()


def test_a_person_already_in_the_trial_is_refused_on_the_pnc_field(
    trial: Trial, officer: User, other_officer: User
) -> None:
    screen(trial, officer, 1)
    with pytest.raises(ConflictError, match="already in trial CARA as CARA-0001") as caught:
        # Same PNC ID typed differently, in another area.
        screen(trial, other_officer, 2, pnc_id=" " + VALID.lower())
    assert caught.value.field == "pnc_id"
    # The other area's name and the case's status stay hidden from this officer.
    assert officer.police_area is not None
    assert officer.police_area.name not in caught.value.message
    assert "another police area" in caught.value.message
    assert Participant.objects.count() == 1


def test_a_person_screened_ineligible_may_be_screened_again(trial: Trial, officer: User) -> None:
    screen(trial, officer, 1, on_bail_or_order=True)
    again = screen(trial, officer, 2, pnc_id=screening_input(1).pnc_id)
    assert again.status == CaseStatus.SCREENED
    assert again.person_key == Participant.objects.get(number=1).person_key


def test_the_same_form_submitted_twice_records_one_case(trial: Trial, officer: User) -> None:
    token = uuid.uuid4()
    assert officer.police_area is not None
    cases = [
        screening_record(
            trial=trial,
            police_area=officer.police_area,
            details=screening_input(),
            token=token,
            by=officer,
        )
        for _ in range(3)
    ]
    assert {c.pk for c in cases} == {cases[0].pk}
    assert Participant.objects.count() == 1
    assert AuditEvent.objects.filter(action="participant.screen").count() == 1


def test_html_is_stored_as_typed(trial: Trial, officer: User) -> None:
    case = screen(trial, officer, given_name="<script>alert(1)</script>")
    case.refresh_from_db()
    assert case.given_name == "<script>alert(1)</script>"


def test_officers_screen_for_their_own_area_only(
    trial: Trial, officer: User, other_area: PoliceArea
) -> None:
    with pytest.raises(NotAllowedError, match="own police area"):
        screening_record(
            trial=trial,
            police_area=other_area,
            details=screening_input(),
            token=uuid.uuid4(),
            by=officer,
        )


def test_areas_outside_the_trial_and_closed_trials_are_refused(
    trial: Trial, trial_manager: User
) -> None:
    elsewhere = police_area("kent", "Kent", "Kent Police")
    with pytest.raises(DomainError, match="Kent is not taking part"):
        screening_record(
            trial=trial,
            police_area=elsewhere,
            details=screening_input(),
            token=uuid.uuid4(),
            by=trial_manager,
        )
    trial = trial_transition(trial=trial, to_status="recruitment_closed", by=None)
    southampton = PoliceArea.objects.get(code="southampton")
    with pytest.raises(NotAllowedError, match="not recruiting"):
        screening_record(
            trial=trial,
            police_area=southampton,
            details=screening_input(),
            token=uuid.uuid4(),
            by=trial_manager,
        )
    assert Participant.objects.count() == 0


def test_new_rules_apply_to_new_cases_and_old_cases_keep_their_version(
    trial: Trial, officer: User
) -> None:
    old = screen(trial, officer, 1, dash_risk="high")
    rules = {**old.rule_set.parameters, "dash_levels": ["standard", "medium", "high"]}
    rule_set_publish(trial=trial, parameters=rules, reason="DMC allowed high risk", by=None)
    new = screen(trial, officer, 2, dash_risk="high")
    assert (old.rule_set.version, old.eligible) == (1, False)
    assert (new.rule_set.version, new.eligible) == (2, True)
    with pytest.raises(DomainError, match="Unknown eligibility parameters: colour"):
        rule_set_publish(trial=trial, parameters={"colour": "red"}, reason="", by=None)
