"""CSV extracts dropped in a folder: all rows or none, clear errors, nothing lost or doubled."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import time
from pathlib import Path

import pytest
from django.test import Client

from common.crypto import open_sealed
from common.models import User
from outcomes.models import ImportRun, ReoffenceRecord, RunStatus
from outcomes.services import source_pull
from tests.outcomes.support import folder_source, make_trial, pnc, randomise, row, write_csv

D = datetime.date


@pytest.fixture
def trial_with_people(db: None) -> object:
    trial = make_trial()
    for number in (1, 2, 3):
        randomise(trial, number, D(2024, 1, 10))
    return trial


@pytest.mark.smoke
@pytest.mark.django_db
def test_an_extract_is_imported_matched_and_never_doubled(
    trial_with_people: object, tmp_path: Path
) -> None:
    source = folder_source(trial_with_people, tmp_path / "drop")  # type: ignore[arg-type]
    rows = [
        row("R1", 1, D(2024, 5, 1)),
        row("R2", 2, "03/06/2024", "008/06", "Other partner", "Complaint of crime"),
        row("R3", 99, D(2024, 7, 1)),  # nobody in the trial: kept apart, not guessed
        row("R1", 1, D(2024, 5, 1)),  # repeated within the file
    ]
    write_csv(tmp_path / "drop" / "extract-1.csv", rows)
    run = source_pull(source=source).runs[0]
    assert (run.status, run.rows, run.added, run.duplicates, run.unmatched) == (
        RunStatus.SUCCEEDED,
        4,
        3,
        1,
        1,
    )
    record = ReoffenceRecord.objects.get(source_record_id="R2")
    assert record.allocation is not None
    assert record.allocation.participant_key == "CARA-0002"
    assert (record.offence_date, record.victim_relationship, record.record_status) == (
        D(2024, 6, 3),
        "other_partner",
        "complaint",
    )
    assert record.person_identifier == pnc(2)
    assert (tmp_path / "drop" / "imported" / "extract-1.csv.enc").exists()  # kept, sealed
    assert not (tmp_path / "drop" / "extract-1.csv").exists()  # not read again every day

    # The same extract dropped again adds nothing.
    write_csv(tmp_path / "drop" / "extract-2.csv", rows)
    again = source_pull(source=source).runs[0]
    assert (again.added, again.duplicates) == (0, 4)
    assert ReoffenceRecord.objects.count() == 3


@pytest.mark.django_db
def test_bom_and_semicolons_are_read(trial_with_people: object, tmp_path: Path) -> None:
    source = folder_source(trial_with_people, tmp_path / "drop")  # type: ignore[arg-type]
    write_csv(
        tmp_path / "drop" / "a.csv",
        [row("S1", 1, D(2024, 5, 1)), row("S2", 2, D(2024, 5, 2))],
        delimiter=";",
        encoding="utf-8-sig",
    )
    run = source_pull(source=source).runs[0]
    assert (run.status, run.added) == (RunStatus.SUCCEEDED, 2)


@pytest.mark.django_db
def test_one_bad_row_refuses_the_file_with_a_downloadable_report(
    trial_with_people: object, tmp_path: Path, data_manager: User, client: Client
) -> None:
    source = folder_source(trial_with_people, tmp_path / "drop")  # type: ignore[arg-type]
    rows = [row(f"G{i}", 1, D(2024, 5, 1)) for i in range(5000)]  # more than one batch
    rows += [
        row("B1", 1, "2024-13-01"),
        ["B2", "14/0123456Z", "2024-05-01", "105/01", "same_partner", "arrest"],
        row("B3", 1, D(2024, 5, 1), relationship="neighbour"),
        ["B4", pnc(1), "2024-05-01"],  # too few fields
        row("B5", 1, D(2099, 1, 1), status="rumour"),
    ]
    write_csv(tmp_path / "drop" / "bad.csv", rows)
    run = source_pull(source=source).runs[0]
    assert run.status == RunStatus.REJECTED
    assert run.error_count == 5
    assert ReoffenceRecord.objects.count() == 0  # the 5,000 good rows were not kept either
    assert "5 of 5005 rows refused; nothing from this file was stored." in run.errors[0]["message"]
    kept = Path(run.file_path)
    assert kept.exists()
    assert kept.parent == Path(run.error_report).parent  # quarantine under MEDIA_ROOT
    assert not (tmp_path / "drop" / "bad.csv").exists()  # not read again every day

    client.force_login(data_manager)
    report = client.get(f"/outcomes/runs/{run.pk}/errors.csv")
    assert report.status_code == 200
    text = report.getvalue().decode()
    assert "14/0123456" not in text  # a PNC ID never appears in the report
    lines = [tuple(r) for r in csv.reader(io.StringIO(text))]
    assert lines[0] == ("row", "column", "error")
    found = {(r[0], r[1]): r[2] for r in lines[1:]}
    assert found["5002", "offence_date"].startswith("'2024-13-01' is not a date")
    assert found["5003", "person_id"].startswith("The check letter does not match")
    assert found["5004", "victim_relationship"].startswith("'neighbour' is not one of")
    assert found["5005", "*"] == "3 fields where the header has 6 (check the delimiter and quotes)."
    assert found["5006", "offence_date"] == "2099-01-01 is in the future."
    assert found["5006", "record_status"].startswith("'rumour' is not one of arrest, complaint")
    page = client.get("/outcomes/")
    assert b"Download the error report" in page.content


@pytest.mark.django_db
def test_missing_columns_and_wrong_encodings_are_refused_clearly(
    trial_with_people: object, tmp_path: Path
) -> None:
    source = folder_source(trial_with_people, tmp_path / "drop")  # type: ignore[arg-type]
    write_csv(
        tmp_path / "drop" / "1-columns.csv",
        [["R1", pnc(1), "2024-05-01"]],
        header=["record_id", "person_id", "offence_date"],
    )
    latin = write_csv(
        tmp_path / "drop" / "2-latin1.csv",
        [row("R2", 1, D(2024, 5, 1), code="Dégradation")],
        encoding="cp1252",
    )
    assert latin.read_bytes().count(b"\xe9") == 1
    runs = source_pull(source=source).runs
    assert [r.status for r in runs] == [RunStatus.REJECTED, RunStatus.REJECTED]
    assert (
        "lacks the column(s) offence_code, victim_relationship, record_status"
        in (runs[0].errors[0]["message"])
    )
    assert "not UTF-8" in runs[1].errors[0]["message"]
    assert ReoffenceRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_file_of_100000_rows_is_imported_whole_and_only_once(tmp_path: Path) -> None:
    trial = make_trial()
    for number in range(1, 51):
        randomise(trial, number, D(2023, 1, 10))
    source = folder_source(trial, tmp_path / "drop")
    path = tmp_path / "drop" / "big.csv"
    write_csv(path, (row(f"X{i}", i % 200 + 1, D(2024, 1, 1)) for i in range(100_000)))
    started = time.monotonic()
    run = source_pull(source=source).runs[0]
    elapsed = time.monotonic() - started
    assert (run.status, run.rows, run.added, run.duplicates) == (
        RunStatus.SUCCEEDED,
        100_000,
        100_000,
        0,
    )
    assert run.unmatched == 75_000  # people 51-200 are not in the trial
    assert ReoffenceRecord.objects.filter(allocation__isnull=False).count() == 25_000
    assert elapsed < 60, elapsed
    with (
        open_sealed(tmp_path / "drop" / "imported" / "big.csv.enc") as kept,
        (tmp_path / "drop" / "again.csv").open("wb") as dropped,
    ):
        shutil.copyfileobj(kept, dropped)  # the same extract dropped again
    again = source_pull(source=source).runs[0]
    assert (again.added, again.duplicates) == (0, 100_000)
    assert ReoffenceRecord.objects.count() == 100_000
    assert ImportRun.objects.count() == 2


@pytest.mark.smoke  # SQLite's insert path too (bulk_create; PostgreSQL's is COPY)
@pytest.mark.django_db
def test_a_changed_record_under_a_known_id_refuses_the_file_as_a_push_does(
    trial_with_people: object, tmp_path: Path
) -> None:
    source = folder_source(trial_with_people, tmp_path / "drop")  # type: ignore[arg-type]
    write_csv(tmp_path / "drop" / "extract-1.csv", [row("R1", 1, D(2024, 5, 1))])
    assert source_pull(source=source).runs[0].added == 1

    changed = [
        row("R1", 1, D(2024, 5, 1)),  # the same again: a duplicate
        row("R2", 2, D(2024, 6, 1)),
        row("R1", 1, D(2024, 5, 2)),  # stored already, another date
        row("R2", 3, D(2024, 6, 1), status="charge"),  # earlier in this file
    ]
    write_csv(tmp_path / "drop" / "extract-2.csv", changed)
    run = source_pull(source=source).runs[0]
    assert run.status == RunStatus.REJECTED
    assert run.error_count == 2
    named = [(e["row"], e["column"]) for e in run.errors[1:]]
    assert named == [(4, "offence_date"), (5, "person_id"), (5, "record_status")]
    messages = " ".join(e["message"] for e in run.errors)
    assert "Record R1 is stored already with a different offence_date" in messages
    assert "Record R2 came earlier in this file (row 3) with a different person_id" in messages
    assert pnc(3) not in messages  # never the values: a person_id is a PNC ID
    assert ReoffenceRecord.objects.count() == 1  # nothing from the refused file
