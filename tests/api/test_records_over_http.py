"""A records system pushes re-offence records over HTTP: all or nothing, idempotent by record id."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from django.utils import timezone

from api.services import token_create_service
from common.models import AuditEvent
from common.roles import Role
from outcomes.models import ImportRun, RecordSource, ReoffenceRecord, RunStatus
from tests.outcomes.support import folder_source, make_trial, randomise
from tests.outcomes.test_records_push import PEOPLE, ten_thousand
from tests.support.factories import make_user, organisation
from tests.support.roles import roles_restore
from trial.models import Trial

PROBLEM = "application/problem+json"


@pytest.fixture
def trial(transactional_db: None) -> Trial:
    roles_restore()  # an earlier transactional test flushed the groups
    trial = make_trial("CARA")
    for number in PEOPLE:
        randomise(trial, number, datetime.date(2024, 1, 10))
    return trial


@pytest.fixture
def source(trial: Trial, tmp_path: Path) -> RecordSource:
    return folder_source(trial, tmp_path / "drop", name="Records system")


def _secret(trial: Trial, *scopes: str) -> str:
    _, secret = token_create_service(
        name="Niche RMS",
        trial=trial,
        organisation=organisation("Hampshire Constabulary"),
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=30),
        by=make_user(Role.TRIAL_MANAGER, trial=trial),
    )
    return secret


def _push(live_server: Any, secret: str, body: Any, code: str = "CARA") -> requests.Response:
    return requests.post(
        f"{live_server.url}/api/v1/trials/{code}/records/",
        json=body,
        headers={"Authorization": f"Bearer {secret}"},
        timeout=300,
    )


def test_one_bad_row_in_ten_thousand_stores_nothing_and_names_it(
    live_server: Any, trial: Trial, source: RecordSource
) -> None:
    rows = ten_thousand()
    rows[7345]["offence_date"] = "2024-02-30"
    answer = _push(
        live_server, _secret(trial, "records:write"), {"source": source.pk, "records": rows}
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith(PROBLEM)
    errors = answer.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(7345, "offence_date")]
    assert "nothing" in answer.json()["detail"]
    assert not ReoffenceRecord.objects.exists()
    assert ImportRun.objects.get().status == RunStatus.REJECTED


def test_ten_thousand_rows_are_stored_once_and_again_change_nothing(
    live_server: Any, trial: Trial, source: RecordSource
) -> None:
    secret = _secret(trial, "records:write")
    rows = ten_thousand()
    first = _push(live_server, secret, {"source": source.pk, "records": rows})
    assert first.status_code == 200, first.text
    matched = sum(1 for i in range(10_000) if i % 7 + 1 in PEOPLE)  # counted from the rows sent
    assert {k: first.json()[k] for k in ("records", "added", "duplicates", "unmatched")} == {
        "records": 10_000,
        "added": 10_000,
        "duplicates": 0,
        "unmatched": 10_000 - matched,
    }
    assert ReoffenceRecord.objects.count() == 10_000
    again = _push(live_server, secret, {"source": source.pk, "records": rows})
    assert again.status_code == 200, again.text
    assert (again.json()["added"], again.json()["duplicates"]) == (0, 10_000)
    assert ReoffenceRecord.objects.count() == 10_000
    assert AuditEvent.objects.filter(action="records.push").count() == 2


def test_another_trials_source_and_a_bad_body_are_refused_and_store_nothing(
    live_server: Any, trial: Trial, source: RecordSource, tmp_path: Path
) -> None:
    other = make_trial("TURNING")
    theirs = folder_source(other, tmp_path / "theirs")
    secret = _secret(trial, "records:write")
    rows = ten_thousand()[:3]
    answer = _push(live_server, secret, {"source": theirs.pk, "records": rows})
    assert answer.status_code == 404, answer.text
    assert answer.headers["Content-Type"].startswith(PROBLEM)
    bad = _push(live_server, secret, {"source": "one", "records": {}, "extra": 1})
    assert bad.status_code == 400, bad.text
    assert set(bad.json()["errors"]) == {"source", "records", "extra"}
    assert _push(live_server, secret, [1, 2]).status_code == 400
    assert not ReoffenceRecord.objects.exists()
