"""A custody system screens, records the victim's decision and enrols, through the pages' services.

Its facts arrive as JSON; the enrolment is sent with an Idempotency-Key, so a retry (or ten at
once) randomises once and gets the first answer again.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import uuid
from html import unescape
from typing import Any

import pytest
from django.test import Client

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.idempotency import request_fingerprint
from common.models import IdempotencyKey, User
from common.roles import Role
from common.services import idempotent
from participants.models import CaseStatus, Participant
from participants.services import (
    InvalidInputError,
    custody_consent,
    custody_enrol,
    custody_screen,
)
from tests.support.cases import TODAY, consented, screening_input
from tests.support.factories import make_trial, make_user
from tests.support.threads import run_at_once
from trial.models import Allocation, Trial

ENROL_PATH = "/api/v1/cases/enrol/"


def screening_facts(**overrides: Any) -> dict[str, Any]:
    """Return an eligible case's facts as a custody system sends them (JSON types)."""
    facts = {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in dataclasses.asdict(screening_input()).items()
    }
    return {**facts, **overrides}


def consent_facts(case: str, **consent: Any) -> dict[str, Any]:
    return {
        "case": case,
        "victim": {
            "given_name": "Sarah",
            "family_name": "Marsh",
            "contacted": True,
            "contacted_on": TODAY.isoformat(),
            "risk_raised": False,
        },
        "consent": {
            "decision": "given",
            "decided_on": TODAY.isoformat(),
            "method": "telephone",
            **consent,
        },
    }


def enrol_once(trial: Trial, officer: User, body: dict[str, Any], key: str) -> tuple[int, dict]:
    """Send the enrolment as the API will: idempotent by the officer's key."""
    return idempotent(
        owner=f"user:{officer.pk}",
        key=key,
        fingerprint=request_fingerprint(method="POST", path=ENROL_PATH, body=body),
        do=lambda: (201, dict(custody_enrol(by=officer, trial=trial, facts=body))),
    )


def test_eligible_facts_screen_an_eligible_case(trial: Trial, officer: User) -> None:
    result = custody_screen(by=officer, trial=trial, facts=screening_facts())
    assert result == {
        "case": "CARA-0001",
        "status": "screened",
        "eligible": True,
        "failed_criteria": [],
    }
    assert Participant.objects.get().status == CaseStatus.SCREENED


def test_ineligible_facts_list_every_failed_criterion_in_plain_words(
    trial: Trial, officer: User
) -> None:
    facts = screening_facts(dash_risk="high", on_bail_or_order=True, interpreter_needed=True)
    result = custody_screen(by=officer, trial=trial, facts=facts)
    assert result["eligible"] is False
    assert result["status"] == "ineligible"
    codes = [c["code"] for c in result["failed_criteria"]]
    assert codes == ["dash_risk", "bail_or_order", "interpreter"]
    messages = " ".join(c["message"] for c in result["failed_criteria"])
    assert "The DASH risk level is high" in messages
    assert "on bail, or subject to a court order or community sentence" in messages


def test_bad_facts_name_every_field_and_store_nothing(trial: Trial, officer: User) -> None:
    facts = screening_facts(
        sex="m", offence_date="03/12/2026", interpreter_needed="no", colour="blue"
    )
    del facts["dash_risk"]
    with pytest.raises(InvalidInputError) as refused:
        custody_screen(by=officer, trial=trial, facts=facts)
    assert set(refused.value.errors) == {
        "sex",
        "offence_date",
        "interpreter_needed",
        "colour",
        "dash_risk",
    }
    assert refused.value.errors["offence_date"] == "Give a date as YYYY-MM-DD."
    assert Participant.objects.count() == 0


def test_an_impossible_date_is_refused_by_the_forms_own_check(trial: Trial, officer: User) -> None:
    future = (TODAY + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(DomainError) as refused:
        custody_screen(by=officer, trial=trial, facts=screening_facts(date_of_birth=future))
    assert refused.value.field == "date_of_birth"
    assert Participant.objects.count() == 0


def test_the_victims_decision_makes_the_case_ready_or_closes_it(
    trial: Trial, officer: User
) -> None:
    first = custody_screen(by=officer, trial=trial, facts=screening_facts())
    result = custody_consent(by=officer, trial=trial, facts=consent_facts(first["case"]))
    assert result["status"] == "consented"
    assert result["eligible"] is True

    second = custody_screen(
        by=officer,
        trial=trial,
        facts=screening_facts(pnc_id=screening_input(2).pnc_id, custody_reference="44/00002/26"),
    )
    refused = custody_consent(
        by=officer, trial=trial, facts=consent_facts(second["case"], decision="refused")
    )
    assert refused["status"] == "declined"
    assert [c["code"] for c in refused["failed_criteria"]] == ["victim_consent"]


def test_bad_consent_facts_name_the_field_inside_its_part(trial: Trial, officer: User) -> None:
    case = custody_screen(by=officer, trial=trial, facts=screening_facts())["case"]
    with pytest.raises(InvalidInputError) as refused:
        custody_consent(by=officer, trial=trial, facts=consent_facts(case, method="pigeon"))
    assert list(refused.value.errors) == ["consent.method"]
    assert Participant.objects.get().status == CaseStatus.SCREENED


def test_enrolment_says_the_arm_and_the_caution_as_the_randomised_page_does(
    client: Client, trial: Trial, officer: User
) -> None:
    case = consented(trial, officer)
    result = custody_enrol(
        by=officer, trial=trial, facts={"case": case.pseudonym, "caution_given_on": str(TODAY)}
    )
    allocation = Allocation.objects.get()
    assert result["arm"] == allocation.arm.code
    assert result["intervention"] is allocation.arm.is_intervention
    assert result["randomised_on"] == allocation.randomised_on.isoformat()
    assert result["status"] == "enrolled"

    client.force_login(officer)
    page = client.get(f"/officer/cases/{case.pk}/randomised/").content.decode()
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", page)).split())
    for sentence in [*result["caution"]["conditions"], result["caution"]["meaning"]]:
        assert " ".join(sentence.split()) in text
    assert allocation.arm.name in text


def test_enrolling_twice_with_one_key_randomises_once_and_answers_the_same(
    trial: Trial, officer: User
) -> None:
    case = consented(trial, officer)
    body = {"case": case.pseudonym, "caution_given_on": TODAY.isoformat()}
    key = str(uuid.uuid4())
    first = enrol_once(trial, officer, body, key)
    again = enrol_once(trial, officer, body, key)
    assert json.dumps(first) == json.dumps(again)  # the same answer to the byte, keys in order
    assert first[0] == 201
    assert Allocation.objects.count() == 1


def test_a_different_body_with_the_same_key_is_a_conflict(trial: Trial, officer: User) -> None:
    case = consented(trial, officer)
    key = str(uuid.uuid4())
    enrol_once(trial, officer, {"case": case.pseudonym, "caution_given_on": str(TODAY)}, key)
    yesterday = str(TODAY - datetime.timedelta(days=1))
    with pytest.raises(ConflictError) as refused:
        enrol_once(trial, officer, {"case": case.pseudonym, "caution_given_on": yesterday}, key)
    assert refused.value.message == "This Idempotency-Key was used with a different request."
    case.refresh_from_db()
    assert case.caution_given_on == TODAY
    assert Allocation.objects.count() == 1


def test_a_refused_enrolment_stores_no_key_so_a_corrected_retry_succeeds(
    trial: Trial, officer: User
) -> None:
    case = consented(trial, officer)
    key = str(uuid.uuid4())
    tomorrow = str(TODAY + datetime.timedelta(days=1))
    with pytest.raises(DomainError) as refused:
        enrol_once(trial, officer, {"case": case.pseudonym, "caution_given_on": tomorrow}, key)
    assert refused.value.field == "caution_given_on"
    assert IdempotencyKey.objects.count() == 0
    assert Allocation.objects.count() == 0


def test_another_trials_officer_is_refused_at_every_step(trial: Trial, officer: User) -> None:
    elsewhere = make_trial("WMP", strata_factors={"area": [officer.police_area.code]})  # type: ignore[union-attr]
    stranger = make_user(
        Role.OFFICER, trial=elsewhere, police_area=officer.police_area, email="w@police.example"
    )
    with pytest.raises(NotAllowedError) as refused:
        custody_screen(by=stranger, trial=trial, facts=screening_facts())
    assert refused.value.field == "trial"
    case = consented(trial, officer)
    for step, facts in (
        (custody_consent, consent_facts(case.pseudonym)),
        (custody_enrol, {"case": case.pseudonym, "caution_given_on": str(TODAY)}),
    ):
        with pytest.raises(NotAllowedError) as refused:
            step(by=stranger, trial=trial, facts=facts)
        assert refused.value.field == "case"
    assert Allocation.objects.count() == 0
    assert Participant.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.usefixtures("committed")
def test_ten_concurrent_enrolments_with_one_key_randomise_once(trial: Trial, officer: User) -> None:
    case = consented(trial, officer)
    body = {"case": case.pseudonym, "caution_given_on": TODAY.isoformat()}
    key = str(uuid.uuid4())
    results = run_at_once([lambda: enrol_once(trial, officer, body, key)] * 10)
    assert all(isinstance(r, tuple) for r in results), results
    assert all(json.dumps(r) == json.dumps(results[0]) for r in results)
    assert results[0][0] == 201
    assert Allocation.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    trial.refresh_from_db()
    assert trial.chain_length == 1


def test_a_trial_manager_names_the_area_and_an_unknown_area_is_refused(
    trial: Trial, area: Any
) -> None:
    manager = make_user(Role.TRIAL_MANAGER, trial=trial, email="m@trial.example")
    with pytest.raises(InvalidInputError) as refused:
        custody_screen(by=manager, trial=trial, facts=screening_facts(police_area="atlantis"))
    assert list(refused.value.errors) == ["police_area"]
    result = custody_screen(by=manager, trial=trial, facts=screening_facts(police_area=area.code))
    assert Participant.objects.get(pseudonym=result["case"]).police_area == area
