"""A custody system screens, records the victim's decision and enrols over HTTP (issue 17).

The enrolment carries an Idempotency-Key: sent twice, or ten times at once, it randomises once and
every answer is the first one, byte for byte.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from api.selectors import ApiToken
from common.models import AuditEvent, IdempotencyKey, PoliceArea, User
from common.roles import Role
from participants.models import CaseStatus, Participant
from tests.api.conftest import Issued
from tests.participants.test_custody import consent_facts, screening_facts
from tests.support.cases import TODAY, consented, recruiting_trial, screening_input
from tests.support.factories import make_user, police_area
from tests.support.roles import roles_restore
from tests.support.threads import run_at_once
from trial.models import Allocation, Trial

PROBLEM = "application/problem+json"


@pytest.fixture
def area(transactional_db: None) -> PoliceArea:
    roles_restore()  # an earlier transactional test flushed the groups
    return police_area("southampton", "Southampton", "Hampshire")


@pytest.fixture
def trial(area: PoliceArea) -> Trial:
    return recruiting_trial(area)


@pytest.fixture
def officer(trial: Trial, area: PoliceArea) -> User:
    return make_user(Role.OFFICER, trial=trial, police_area=area)


@pytest.fixture
def secret(officer: User, personal_token: Callable[[User], str]) -> str:
    return personal_token(officer)


def _post(live_server: Any, path: str, secret: str, body: Any, **headers: str) -> requests.Response:
    return requests.post(
        f"{live_server.url}/api/v1/trials/CARA{path}",
        json=body,
        headers={"Authorization": f"Bearer {secret}", **headers},
        timeout=60,
    )


def _problem(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _enrol(
    live_server: Any, secret: str, case: str, key: str | None, **body: Any
) -> requests.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    facts = {"caution_given_on": TODAY.isoformat(), **body}
    return _post(live_server, f"/cases/{case}/enrolment/", secret, facts, **headers)


def test_facts_screen_a_case_and_name_every_failed_criterion(
    live_server: Any, trial: Trial, secret: str
) -> None:
    eligible = _post(live_server, "/screenings/", secret, screening_facts())
    assert eligible.status_code == 201, eligible.text
    assert eligible.json()["eligible"] is True
    assert eligible.json()["status"] == CaseStatus.SCREENED
    facts = screening_facts(
        dash_risk="high",
        on_bail_or_order=True,
        pnc_id=screening_input(2).pnc_id,
        custody_reference="44/00002/26",
    )
    refused = _post(live_server, "/screenings/", secret, facts)
    assert refused.status_code == 201, refused.text
    assert refused.json()["eligible"] is False
    codes = [c["code"] for c in refused.json()["failed_criteria"]]
    assert codes == ["dash_risk", "bail_or_order"]


def test_bad_facts_are_field_errors_and_store_nothing(
    live_server: Any, trial: Trial, secret: str
) -> None:
    facts = screening_facts(date_of_birth="30/02/1990", sex="?", surname="Marsh")
    del facts["given_name"]
    body = _problem(_post(live_server, "/screenings/", secret, facts), 400)
    assert set(body["errors"]) == {"date_of_birth", "sex", "surname", "given_name"}
    assert "YYYY-MM-DD" in body["errors"]["date_of_birth"][0]
    assert not Participant.objects.exists()


def test_the_victims_decision_makes_the_case_ready_to_enrol(
    live_server: Any, trial: Trial, secret: str
) -> None:
    case = _post(live_server, "/screenings/", secret, screening_facts()).json()["case"]
    facts = consent_facts(case)
    del facts["case"]  # the URL's
    answer = _post(live_server, f"/cases/{case}/consent/", secret, facts)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == CaseStatus.CONSENTED


def test_an_enrolment_without_a_key_is_refused_naming_the_header(
    live_server: Any, trial: Trial, officer: User, secret: str
) -> None:
    case = consented(trial, officer)
    body = _problem(_enrol(live_server, secret, case.pseudonym, None), 400)
    assert "Idempotency-Key" in body["errors"]
    assert not Allocation.objects.exists()


def test_one_key_twice_randomises_once_and_answers_the_same_bytes(
    live_server: Any, trial: Trial, officer: User, secret: str
) -> None:
    case = consented(trial, officer)
    key = str(uuid.uuid4())
    first = _enrol(live_server, secret, case.pseudonym, key)
    again = _enrol(live_server, secret, case.pseudonym, key)
    assert first.status_code == again.status_code == 201, first.text
    assert first.content == again.content
    assert first.json()["arm"] in {"cara", "control"}
    assert first.json()["caution"]["conditions"]
    assert Allocation.objects.count() == 1
    assert "given_name" not in first.text  # no personal data in the answer
    other = _enrol(
        live_server,
        secret,
        case.pseudonym,
        key,
        caution_given_on=(TODAY - datetime.timedelta(days=1)).isoformat(),
    )
    body = _problem(other, 409)
    assert "different request" in body["detail"]
    assert Allocation.objects.count() == 1


@pytest.mark.postgres
def test_ten_concurrent_enrolments_with_one_key_randomise_once(
    live_server: Any, trial: Trial, officer: User, secret: str
) -> None:
    case = consented(trial, officer)
    key = str(uuid.uuid4())
    answers = run_at_once([lambda: _enrol(live_server, secret, case.pseudonym, key)] * 10)
    assert all(isinstance(a, requests.Response) for a in answers), answers
    assert {a.status_code for a in answers} == {201}
    assert {a.content for a in answers} == {answers[0].content}
    assert Allocation.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_a_custody_systems_token_screens_consents_and_enrols_in_its_area_as_its_account(
    live_server: Any, trial: Trial, area: PoliceArea, service_token: Callable[..., Issued]
) -> None:
    issued = service_token(
        scopes=("screening:write", "enrolment:write"), trial=trial, police_area=area
    )
    screened = _post(live_server, "/screenings/", issued.secret, screening_facts())
    assert screened.status_code == 201, screened.text
    case = screened.json()["case"]
    facts = consent_facts(case)
    del facts["case"]
    assert _post(live_server, f"/cases/{case}/consent/", issued.secret, facts).status_code == 200
    enrolled = _enrol(live_server, issued.secret, case, str(uuid.uuid4()))
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["arm"] in {"cara", "control"}
    account = ApiToken.objects.get(pk=issued.token_id).user
    assert account is not None
    assert account.is_service_account
    enrolled_case = Participant.objects.get(pseudonym=case)
    assert enrolled_case.police_area == area  # the token's area, as an officer's would be
    assert enrolled_case.status == CaseStatus.ENROLLED
    # The trail names the system that did each step, not a person who did not.
    steps = AuditEvent.objects.filter(subject=case)
    assert steps.count() >= 3  # screened, consented, enrolled
    assert set(steps.values_list("actor", flat=True)) == {account.pk}
    claims = AuditEvent.objects.filter(action="allocation.claim")
    assert set(claims.values_list("actor", flat=True)) == {account.pk}


def test_a_custody_token_of_another_area_cannot_touch_this_areas_cases(
    live_server: Any, trial: Trial, officer: User, service_token: Callable[..., Issued]
) -> None:
    case = consented(trial, officer)
    elsewhere = police_area("winchester", "Winchester", "Hampshire")
    issued = service_token(
        scopes=("screening:write", "enrolment:write"), trial=trial, police_area=elsewhere
    )
    body = _problem(_enrol(live_server, issued.secret, case.pseudonym, str(uuid.uuid4())), 403)
    assert "not a case of trial CARA that you may act on" in body["detail"]  # an officer's words
    assert not Allocation.objects.exists()
