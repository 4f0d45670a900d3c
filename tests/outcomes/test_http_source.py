"""The HTTP JSON source against a real HTTP server on 127.0.0.1 started by each test."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection

from outcomes.models import ImportRun, RecordSource, ReoffenceRecord, RunStatus
from outcomes.services import source_create, source_pull
from tests.outcomes.support import TOKEN, Endpoint, make_trial, pnc, randomise

D = datetime.date


def record(record_id: str, number: int, day: str = "2024-05-01") -> dict[str, str]:
    return {
        "record_id": record_id,
        "person_id": pnc(number),
        "offence_date": day,
        "offence_code": "105/01",
        "victim_relationship": "same_partner",
        "record_status": "arrest",
    }


@pytest.fixture
def source(db: None, endpoint: Endpoint) -> Callable[..., RecordSource]:
    trial = make_trial()
    for number in (1, 2, 3, 4):
        randomise(trial, number, D(2024, 1, 10))

    def make(token: str = TOKEN, timeout: float = 2) -> RecordSource:
        return source_create(
            trial=trial,
            name="Records API",
            kind="http",
            url=f"{endpoint.url}/records?page=1",
            token=token,
            by=None,
            timeout_seconds=timeout,
            backoff_seconds=0.05,
            max_attempts=3,
        )

    return make


@pytest.mark.django_db
def test_pages_are_followed_and_each_is_imported_once(
    endpoint: Endpoint, source: Callable[..., RecordSource]
) -> None:
    endpoint.page("/records?page=1", [record("H1", 1), record("H2", 2)], "/records?page=2")
    endpoint.page("/records?page=2", [record("H3", 3)], f"{endpoint.url}/records?page=3")
    endpoint.page("/records?page=3", [record("H4", 99)], None)
    http = source()
    runs = source_pull(source=http).runs
    assert [(r.status, r.added, r.unmatched) for r in runs] == [
        (RunStatus.SUCCEEDED, 2, 0),
        (RunStatus.SUCCEEDED, 1, 0),
        (RunStatus.SUCCEEDED, 1, 1),
    ]
    assert all(auth == f"Bearer {TOKEN}" for _, auth in endpoint.hits)
    again = source_pull(source=http).runs
    assert sum(r.added for r in again) == 0
    assert sum(r.duplicates for r in again) == 4
    assert ReoffenceRecord.objects.count() == 4


@pytest.mark.django_db
def test_500s_and_a_timeout_are_retried_then_succeed(
    endpoint: Endpoint, source: Callable[..., RecordSource]
) -> None:
    endpoint.answer("/records?page=1", 500, b"oops")
    endpoint.answer("/records?page=1", 200, b"{}", delay=1.5)  # longer than the timeout
    endpoint.page("/records?page=1", [record("H1", 1)], None)
    run = source_pull(source=source(timeout=0.5)).runs[0]
    assert (run.status, run.added, run.attempts) == (RunStatus.SUCCEEDED, 1, 3)


@pytest.mark.django_db
def test_an_endpoint_that_keeps_failing_is_recorded_and_keeps_earlier_pages(
    endpoint: Endpoint, source: Callable[..., RecordSource]
) -> None:
    endpoint.page("/records?page=1", [record("H1", 1)], "/records?page=2")
    endpoint.answer("/records?page=2", 503, b"down")
    result = source_pull(source=source())
    assert result.failure is not None
    assert result.failure.transient
    first, failed = result.runs
    assert (first.status, first.added) == (RunStatus.SUCCEEDED, 1)
    assert (failed.status, failed.attempts) == (RunStatus.FAILED, 3)
    assert "failed 3 times (last: HTTP 503)" in failed.errors[0]["message"]
    assert ReoffenceRecord.objects.count() == 1


@pytest.mark.django_db
def test_malformed_json_and_a_bad_record_refuse_their_page_only(
    endpoint: Endpoint, source: Callable[..., RecordSource]
) -> None:
    endpoint.page("/records?page=1", [record("H1", 1), record("H2", 2, "soon")], "/records?page=2")
    endpoint.answer("/records?page=2", 200, b'{"records": [{"record_id": "H3",')
    runs = source_pull(source=source()).runs
    assert [r.status for r in runs] == [RunStatus.REJECTED, RunStatus.REJECTED]
    assert runs[0].errors[1] == {
        "row": 2,
        "column": "offence_date",
        "message": "'soon' is not a date: use 2025-03-31 or 31/03/2025.",
    }
    assert "The page is not valid JSON" in runs[1].errors[0]["message"]
    assert runs[1].file_path.endswith("page.json.enc")
    assert ReoffenceRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_token_is_not_retried_and_says_what_to_do(
    endpoint: Endpoint, source: Callable[..., RecordSource]
) -> None:
    endpoint.page("/records?page=1", [record("H1", 1)], None)
    result = source_pull(source=source(token="expired"))
    assert result.failure is not None
    assert not result.failure.transient
    run = ImportRun.objects.get()
    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert "refused the token (HTTP 401)" in run.errors[0]["message"]
    assert len(endpoint.hits) == 1
    assert ReoffenceRecord.objects.count() == 0


@pytest.mark.django_db
def test_the_token_is_stored_encrypted(source: Callable[..., RecordSource]) -> None:
    http = source()
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM outcomes_recordsource WHERE id = %s", [http.pk])
        stored = cursor.fetchone()[0]
    assert TOKEN not in stored
    assert stored.startswith("fernet:")
    assert RecordSource.objects.get(pk=http.pk).token == TOKEN
