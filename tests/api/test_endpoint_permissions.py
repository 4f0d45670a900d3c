"""Every endpoint under a trial x every scope x another trial's token: refused with no data."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import requests
from django.utils import timezone

from api.selectors import Scope
from api.services import token_create_service
from common.models import AuditEvent, IdempotencyKey
from common.roles import Role
from outcomes.models import ImportRun, ReoffenceRecord
from participants.models import Participant
from tests.participants.test_custody import screening_facts
from tests.support.factories import make_trial, make_user, police_area
from tests.support.roles import roles_restore
from trial.models import Allocation, Trial

PROBLEM_KEYS = {"type", "title", "status", "detail"}
TODAY = datetime.date(2025, 6, 30).isoformat()
# method, path under /api/v1/trials/CARA, the scopes that open it, body, headers
ENDPOINTS: list[tuple[str, str, set[str], Any, dict[str, str]]] = [
    ("post", "/screenings/", {"screening:write"}, screening_facts(), {}),
    ("post", "/cases/CARA-0001/consent/", {"screening:write"}, {"victim": {}, "consent": {}}, {}),
    (
        "post",
        "/cases/CARA-0001/enrolment/",
        {"enrolment:write"},
        {"caution_given_on": TODAY},
        {"Idempotency-Key": "k-1"},
    ),
    ("post", "/records/", {"records:write"}, {"source": 1, "records": []}, {}),
    ("get", "/sources/", {"records:write"}, None, {}),
    ("get", "/cases/CARA-0001/", {"screening:write", "enrolment:write"}, None, {}),
    ("get", "/snapshots/?window=12&cut=2025-06-30", {"snapshots:read"}, None, {}),
    ("get", "/report-runs/", {"reports:read"}, None, {}),
    ("get", "/report-runs/1/", {"reports:read"}, None, {}),
    ("get", "/dataset/?run=1", {"dataset:read"}, None, {"X-Justification": "audit"}),
]


def _token(trial: Trial, scopes: list[str]) -> str:
    area = police_area("hq", "Headquarters", "Hampshire Constabulary")
    _, secret = token_create_service(
        name="system",
        trial=trial,
        organisation=area.force,
        police_area=area,
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=30),
        by=make_user(Role.TRIAL_MANAGER, trial=trial),
    )
    return secret


@pytest.fixture
def tokens(transactional_db: None) -> dict[str, str]:
    """One CARA token per scope, and a TURNING token holding every scope."""
    roles_restore()  # an earlier transactional test flushed the groups
    cara, turning = make_trial("CARA"), make_trial("TURNING")
    made = {scope: _token(cara, [scope]) for scope in Scope.values}
    made["other trial"] = _token(turning, list(Scope.values))
    return made


def _send(live_server: Any, endpoint: tuple[Any, ...], secret: str | None) -> requests.Response:
    method, path, _, body, headers = endpoint
    auth = {"Authorization": f"Bearer {secret}"} if secret else {}
    return requests.request(
        method,
        f"{live_server.url}/api/v1/trials/CARA{path}",
        json=body,
        headers={**auth, **headers},
        timeout=60,
    )


def _refused(answer: requests.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert set(answer.json()) == PROBLEM_KEYS  # a refusal carries no data
    assert "CARA-0001" not in answer.text


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS])
def test_each_scope_opens_only_its_endpoints_and_another_trial_sees_nothing(
    live_server: Any, tokens: dict[str, str], endpoint: tuple[Any, ...]
) -> None:
    opens = endpoint[2]
    _refused(_send(live_server, endpoint, None), 401)
    for scope in Scope.values:
        answer = _send(live_server, endpoint, tokens[scope])
        assert answer.status_code < 500, (scope, answer.text)
        if scope not in opens:
            _refused(answer, 403)
            assert any(needed in answer.json()["detail"] for needed in opens)  # says what opens it
    _refused(_send(live_server, endpoint, tokens["other trial"]), 404)
    assert not Participant.objects.exists()
    assert not Allocation.objects.exists()
    assert not IdempotencyKey.objects.exists()
    assert not ReoffenceRecord.objects.exists()
    assert not ImportRun.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="disclosure.").exists()
