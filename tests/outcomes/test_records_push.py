"""A records system's push of records: all or nothing, named row errors, never doubled."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from common.exceptions import DomainError, NotAllowedError
from common.models import AuditEvent
from common.roles import Role
from outcomes.models import ImportRun, RecordSource, ReoffenceRecord, RunStatus
from outcomes.rows import COLUMNS
from outcomes.services import PushRejectedError, records_push, source_pull
from tests.outcomes.support import folder_source, make_trial, pnc, randomise, row, write_csv
from tests.support.factories import make_user
from tests.support.threads import run_at_once
from trial.models import Trial

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 6, 30)
PEOPLE = (1, 2, 3)  # randomised in the trial; every other person is nobody in it


def record(record_id: str, number: int, day: datetime.date | str, **changes: Any) -> dict[str, Any]:
    """One record as a records system sends it: the upload's columns as a JSON object."""
    values: dict[str, Any] = dict(zip(COLUMNS, row(record_id, number, day), strict=True))
    values.update(changes)
    return values


def ten_thousand() -> list[dict[str, Any]]:
    """10,000 distinct records; person n % 7 + 1 offends, so people 1-3 have matches."""
    start = D(2024, 2, 1)
    return [
        record(f"P{i:05d}", i % 7 + 1, start + datetime.timedelta(days=i % 400))
        for i in range(10_000)
    ]


@pytest.fixture
def trial() -> Trial:
    trial = make_trial("CARA")
    for number in PEOPLE:
        randomise(trial, number, D(2024, 1, 10))
    return trial


@pytest.fixture
def source(trial: Trial, tmp_path: Path) -> RecordSource:
    return folder_source(trial, tmp_path / "drop", name="Records system")


def refused(source: RecordSource, rows: list[Any], **kwargs: Any) -> list[dict[str, Any]]:
    """Push rows that must be refused; check nothing was stored and return the row errors."""
    kept = ReoffenceRecord.objects.count()
    with pytest.raises(PushRejectedError) as caught:
        records_push(source=source, rows=rows, by=None, today=TODAY, **kwargs)
    assert ReoffenceRecord.objects.count() == kept
    assert ImportRun.objects.filter(status=RunStatus.REJECTED, label="API push").exists()
    return [dict(e) for e in caught.value.errors]


def test_one_bad_row_in_ten_thousand_stores_nothing_and_names_it(source: RecordSource) -> None:
    rows = ten_thousand()
    rows[7345]["offence_date"] = "2024-02-30"
    errors = refused(source, rows)
    assert [(e["index"], e["field"]) for e in errors] == [(7345, "offence_date")]
    assert "2024-02-30" in errors[0]["message"]
    assert not ReoffenceRecord.objects.exists()
    run = ImportRun.objects.get()  # the refusal is recorded, as a refused file is
    assert (run.status, run.rows, run.added, run.error_count) == (RunStatus.REJECTED, 10_000, 0, 1)
    assert AuditEvent.objects.filter(action="records.push_reject").count() == 1


def test_ten_thousand_rows_are_stored_matched_and_never_doubled(source: RecordSource) -> None:
    rows = ten_thousand()
    result = records_push(source=source, rows=rows, by=None, today=TODAY)
    # Counted from the rows sent, not from the service: persons 1-3 are in the trial.
    matched = sum(1 for i in range(10_000) if i % 7 + 1 in PEOPLE)
    assert (result.added, result.duplicates, result.unmatched) == (10_000, 0, 10_000 - matched)
    assert ReoffenceRecord.objects.filter(source=source).count() == 10_000
    assert ReoffenceRecord.objects.filter(allocation__isnull=False).count() == matched
    stored = ReoffenceRecord.objects.get(source_record_id="P07345")
    assert (stored.offence_date, stored.person_identifier) == (
        D(2024, 2, 1) + datetime.timedelta(days=7345 % 400),
        pnc(7345 % 7 + 1),
    )
    assert stored.allocation is not None  # 7345 % 7 + 1 is person 3, randomised in the trial
    assert stored.allocation.participant_key == "CARA-0003"
    assert (result.run.status, result.run.label) == (RunStatus.SUCCEEDED, "API push")
    assert AuditEvent.objects.filter(action="records.push").count() == 1

    again = records_push(source=source, rows=rows, by=None, today=TODAY)
    assert (again.added, again.duplicates) == (0, 10_000)
    assert ReoffenceRecord.objects.count() == 10_000


def test_a_changed_record_under_a_known_id_is_a_row_error(source: RecordSource) -> None:
    records_push(source=source, rows=[record("R1", 1, D(2024, 5, 1))], by=None, today=TODAY)
    pushed = [
        record("R2", 2, D(2024, 5, 2)),  # new, but the push is refused as a whole
        record("R1", 1, D(2024, 5, 1), record_status="charge"),
        record("R1", 9, D(2024, 5, 1)),  # another person under the same id
    ]
    errors = refused(source, pushed)
    assert [(e["index"], e["field"]) for e in errors] == [(1, "record_status"), (2, "person_id")]
    assert pnc(9) not in errors[1]["message"]  # a PNC ID is never quoted
    assert not ReoffenceRecord.objects.filter(source_record_id="R2").exists()
    stored = ReoffenceRecord.objects.get(source_record_id="R1")
    assert stored.record_status == "arrest"  # never changed by a push


def test_within_one_push_a_repeat_is_a_duplicate_and_a_change_an_error(
    source: RecordSource,
) -> None:
    same = [record("S1", 1, D(2024, 5, 1)), record("S1", 1, D(2024, 5, 1))]
    result = records_push(source=source, rows=same, by=None, today=TODAY)
    assert (result.added, result.duplicates) == (1, 1)
    changed = [record("S2", 1, D(2024, 5, 1)), record("S2", 1, D(2024, 5, 3))]
    errors = refused(source, changed)
    assert [(e["index"], e["field"]) for e in errors] == [(1, "offence_date")]
    assert "index 0" in errors[0]["message"]


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"offence_date": 20240501}, "offence_date", "must be a string, not int"),
        ({"record_id": None}, "record_id", "must be a string, not null"),
        ({"person_id": ["14/0000001"]}, "person_id", "must be a string, not list"),
        ({"record_status": ...}, "record_status", "record_status is missing"),
        ({"victim_name": "Jane"}, "victim_name", "is not a field of a record"),
        ({"offence_date": "2026-01-01"}, "offence_date", "is in the future"),
        ({"offence_date": "1900-05-01"}, "offence_date", "is before 1990-01-01"),
        ({"offence_code": "=HYPERLINK(1)"}, "offence_code", "runs as a formula"),
        ({"victim_relationship": "neighbour"}, "victim_relationship", "is not one of"),
        ({"person_id": "not a pnc"}, "person_id", ""),
    ],
)
def test_each_bad_field_is_named_with_its_index(
    source: RecordSource, bad: dict[str, Any], field: str, words: str
) -> None:
    broken = record("B2", 2, D(2024, 5, 2))
    for name, value in bad.items():
        if value is ...:
            del broken[name]
        else:
            broken[name] = value
    rows = [record("B1", 1, D(2024, 5, 1)), broken, record("B3", 3, D(2024, 5, 3))]
    errors = refused(source, rows)
    assert [(e["index"], e["field"]) for e in errors] == [(1, field)]
    assert words in errors[0]["message"]


def test_a_record_that_is_not_an_object_is_named(source: RecordSource) -> None:
    errors = refused(source, [record("N1", 1, D(2024, 5, 1)), "N2,14/0000002"])
    assert [(e["index"], e["field"]) for e in errors] == [(1, "*")]


def test_more_than_ten_thousand_records_are_refused_unread(source: RecordSource) -> None:
    rows = [*ten_thousand(), record("P10000", 1, D(2024, 5, 1))]
    with pytest.raises(DomainError, match="at most 10,000 records"):
        records_push(source=source, rows=rows, by=None, today=TODAY)
    assert not ReoffenceRecord.objects.exists()
    assert not ImportRun.objects.exists()


def test_another_trials_source_is_refused(source: RecordSource) -> None:
    other = make_trial("WMP")
    outsider = make_user(Role.DATA_MANAGER, trial=other)
    researcher = make_user(Role.RESEARCHER, trial=source.trial)  # a role, not a data role
    for by in (outsider, researcher):
        with pytest.raises(NotAllowedError, match="data manager or trial manager of CARA"):
            records_push(source=source, rows=[record("X1", 1, D(2024, 5, 1))], by=by, today=TODAY)
    assert not ReoffenceRecord.objects.exists()
    assert not ImportRun.objects.exists()
    manager = make_user(Role.DATA_MANAGER, trial=source.trial)
    result = records_push(source=source, rows=[record("X1", 1, D(2024, 5, 1))], by=manager)
    assert (result.added, result.run.started_by) == (1, manager)


def test_a_push_and_the_file_import_store_the_same_records(
    trial: Trial, source: RecordSource, tmp_path: Path
) -> None:
    rows = [row(f"F{i}", i % 5 + 1, D(2024, 3, 1) + datetime.timedelta(days=i)) for i in range(50)]
    write_csv(tmp_path / "drop" / "extract.csv", rows)
    source_pull(source=source, today=TODAY)
    pushed = folder_source(trial, tmp_path / "unused", name="Pushes")
    records_push(
        source=pushed,
        rows=[dict(zip(COLUMNS, r, strict=True)) for r in rows],
        by=None,
        today=TODAY,
    )
    fields = ("source_record_id", "person_key", "offence_date", "offence_code", "allocation")

    def stored(where: RecordSource) -> list[tuple[object, ...]]:
        found = ReoffenceRecord.objects.filter(source=where).order_by("source_record_id")
        return list(found.values_list(*fields))

    assert stored(source) == stored(pushed)
    assert len(stored(source)) == 50


@pytest.mark.django_db(transaction=True)
def test_the_same_push_sent_three_times_at_once_is_stored_once(tmp_path: Path) -> None:
    trial = make_trial("CARA")
    randomise(trial, 1, D(2024, 1, 10))
    source = folder_source(trial, tmp_path / "drop", name="Records system")
    rows = ten_thousand()[:1000]

    def send() -> object:
        return records_push(source=source, rows=rows, by=None, today=TODAY)

    results = run_at_once([send, send, send])
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sorted((r.added, r.duplicates) for r in results) == [
        (0, 1000),
        (0, 1000),
        (1000, 0),
    ]
    assert ReoffenceRecord.objects.count() == 1000
