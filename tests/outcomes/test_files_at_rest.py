"""Files of personal data: every extract the app keeps is sealed, 0600, readable by the data
manager through the app, removed after the retention period, and every step is audited."""

from __future__ import annotations

import datetime
import io
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from common.crypto import open_sealed
from common.models import AuditEvent, User
from common.roles import Role
from demo.outcomes import demo_outcomes_load
from outcomes.models import ImportRun, RecordSource, RunStatus
from outcomes.services import source_create, source_pull, source_update, upload_import
from outcomes.tasks import import_files_expire_task
from tests.outcomes.support import (
    TOKEN,
    Endpoint,
    folder_source,
    make_trial,
    pnc,
    randomise,
    row,
    write_csv,
)
from tests.support.factories import make_user
from tests.support.signin import confirm_sign_in

D = datetime.date
HEADER = "record_id,person_id,offence_date,offence_code,victim_relationship,record_status\n"
PEOPLE = range(1, 10)


def clear_text_forms(number: int) -> list[bytes]:
    """A PNC ID as written in an extract, and its digits-and-letter tail on their own."""
    full = pnc(number)
    return [full.encode(), full.split("/")[1].encode()]


def every_file(*roots: Path) -> list[Path]:
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


def assert_nothing_in_clear(roots: Iterable[Path], people: Iterable[int]) -> list[Path]:
    """Walk the folders: no PNC ID in clear, every file 0600, no half-written file left."""
    roots = list(roots)
    files = every_file(*roots)
    forms = [form for number in people for form in clear_text_forms(number)]
    for path in files:
        data = path.read_bytes()
        found = [form for form in forms if form in data]
        assert not found, f"{path} holds {found} in clear"
        assert path.stat().st_mode & 0o777 == 0o600, f"{path} is {oct(path.stat().st_mode)}"
        assert not path.name.endswith(".part"), path
    return files


def upload(client: Client, trial: Any, name: str, body: str, capture: Any) -> ImportRun:
    extract = SimpleUploadedFile(name, body.encode(), "text/csv")
    with capture(execute=True):
        client.post("/outcomes/upload/", {"trial": trial.pk, "extract": extract})
    return ImportRun.objects.get(label=name)


def line(record_id: str, number: int, day: str = "2024-05-01", relation: str = "family") -> str:
    return f"{record_id},{pnc(number)},{day},105/01,{relation},arrest\n"


@pytest.mark.django_db
def test_a_journey_through_every_source_leaves_no_pnc_id_in_clear(
    client: Client,
    data_manager: User,
    tmp_path: Path,
    media: Path,
    endpoint: Endpoint,
    django_capture_on_commit_callbacks: Any,
) -> None:
    trial = make_trial()
    for number in PEOPLE:
        randomise(trial, number, D(2024, 1, 10))
    client.force_login(data_manager)

    # Uploads: one imported, one refused for a bad date (the data manager must see why).
    march = HEADER + line("U1", 1) + line("U2", 2)
    april = HEADER + line("U3", 3) + line("U4", 3, day="2024-13-01")
    capture = django_capture_on_commit_callbacks
    imported = upload(client, trial, "march.csv", march, capture)
    refused = upload(client, trial, "april.csv", april, capture)
    assert (imported.status, imported.added) == (RunStatus.SUCCEEDED, 2)
    assert refused.status == RunStatus.REJECTED

    # A drop folder read with the data manager's "Read now" button: one good file, one bad.
    drop = tmp_path / "drop"
    folder = folder_source(trial, drop)
    write_csv(drop / "1-good.csv", [row("F1", 4, D(2024, 5, 1))])
    write_csv(drop / "2-bad.csv", [row("F2", 5, D(2024, 5, 1), relationship="neighbour")])
    with capture(execute=True):
        client.post(f"/outcomes/sources/{folder.pk}/pull/")
    by_label = {run.label: run for run in ImportRun.objects.filter(source=folder)}
    assert by_label["1-good.csv"].status == RunStatus.SUCCEEDED
    assert by_label["2-bad.csv"].status == RunStatus.REJECTED

    # An HTTP endpoint: a good page, then a page with a bad record.
    def item(record_id: str, number: int, day: str) -> dict[str, str]:
        return {
            "record_id": record_id,
            "person_id": pnc(number),
            "offence_date": day,
            "offence_code": "105/01",
            "victim_relationship": "same_partner",
            "record_status": "arrest",
        }

    endpoint.page("/r?p=1", [item("H1", 6, "2024-05-01")], "/r?p=2")
    page_two = json.dumps({"records": [item("H2", 7, "2024-05-01"), item("H3", 8, "soon")]})
    endpoint.answer("/r?p=2", 200, page_two.encode())
    http = source_create(
        trial=trial, name="API", kind="http", url=f"{endpoint.url}/r?p=1", token=TOKEN, by=None
    )
    runs = source_pull(source=http, by=data_manager).runs
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED, RunStatus.REJECTED]

    # Nothing the app keeps, under MEDIA_ROOT or in the drop folder, shows a PNC ID.
    files = assert_nothing_in_clear([media, drop], PEOPLE)
    assert not list(drop.glob("*.csv"))  # the dropped files do not stay where they were dropped
    assert (drop / "imported" / "1-good.csv.enc") in files
    assert len(files) == 8  # 2 uploads, 2 from the folder, 1 page, 3 error reports
    for folder_made in [p for p in media.rglob("*") if p.is_dir()] + [drop / "imported"]:
        assert folder_made.stat().st_mode & 0o777 == 0o700, folder_made

    # The data manager still reads why a file was refused, and the file itself, in the app.
    report = client.get(f"/outcomes/runs/{refused.pk}/errors.csv")
    assert b"'2024-13-01' is not a date" in report.getvalue()
    page = client.get("/outcomes/")
    assert f"/outcomes/runs/{refused.pk}/extract".encode() in page.content
    assert client.get(f"/outcomes/runs/{refused.pk}/extract").status_code == 302  # sign in again
    confirm_sign_in(client)
    kept = client.get(f"/outcomes/runs/{refused.pk}/extract")
    assert kept.getvalue() == april.encode()
    kept_page = client.get(f"/outcomes/runs/{runs[1].pk}/extract")
    assert kept_page.getvalue() == page_two.encode()
    kept_file = client.get(f"/outcomes/runs/{by_label['2-bad.csv'].pk}/extract")
    assert pnc(5).encode() in kept_file.getvalue()
    look = AuditEvent.objects.get(action="records.file_read", object_id=str(refused.pk))
    assert look.actor == data_manager
    assert pnc(3) not in json.dumps(look.detail)
    assert_nothing_in_clear([media, drop], PEOPLE)  # reading left no clear copy behind

    # Every run's start and end is in the audit trail, and so is the upload source made for it.
    for run in ImportRun.objects.all():
        actions = set(
            AuditEvent.objects.filter(
                object_id=str(run.pk), object_type="outcomes.ImportRun"
            ).values_list("action", flat=True)
        )
        assert "records.import_start" in actions, run.label
        assert actions & {"records.import", "records.reject"}, run.label
    upload_source = imported.source
    assert AuditEvent.objects.filter(action="source.create", object_id=str(upload_source.pk))


def age(path: Path, days: int) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


@pytest.mark.django_db
def test_kept_files_are_removed_after_the_retention_period_and_it_is_audited(
    settings: Any, tmp_path: Path, media: Path, client: Client, data_manager: User
) -> None:
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    trial = make_trial()
    randomise(trial, 1, D(2024, 1, 10))
    drop = tmp_path / "drop"
    source = folder_source(trial, drop)
    write_csv(drop / "a-old.csv", [row("R1", 1, D(2024, 5, 1))])
    write_csv(drop / "b-old-bad.csv", [row("R2", 2, "2024-13-01")])
    write_csv(drop / "c-new.csv", [row("R3", 3, D(2024, 5, 1))])
    old, old_bad, new = source_pull(source=source).runs
    for path in (old.file_path, old_bad.file_path, old_bad.error_report):
        age(Path(path), 31)
    age(Path(new.file_path), 29)

    out = io.StringIO()
    call_command("expire_import_files", stdout=out)
    assert "Removed 3 file(s) older than 30 days" in out.getvalue()
    assert every_file(media, drop) == [Path(new.file_path)]
    old.refresh_from_db()
    old_bad.refresh_from_db()
    assert (old.file_path, old_bad.file_path, old_bad.error_report) == ("", "", "")
    event = AuditEvent.objects.get(action="records.files_expire")
    assert event.detail["files"] == 3
    assert event.detail["runs"] == sorted([old.pk, old_bad.pk])
    assert event.detail["days"] == 30
    client.force_login(data_manager)
    assert client.get(f"/outcomes/runs/{old_bad.pk}/errors.csv").status_code == 404

    # The nightly job runs the same service: nothing more is old enough, so nothing is audited.
    assert import_files_expire_task.delay().get()["removed"] == 0
    assert AuditEvent.objects.filter(action="records.files_expire").count() == 1
    age(Path(new.file_path), 31)
    assert import_files_expire_task.delay().get() == {"removed": 1, "sealed": 0, "runs": [new.pk]}


@pytest.mark.django_db
def test_a_file_kept_in_clear_before_sealing_is_sealed_by_the_sweep(
    settings: Any, media: Path
) -> None:
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    quarantine = Path(settings.OUTCOMES_QUARANTINE_DIR)
    quarantine.mkdir(parents=True)
    legacy = write_csv(quarantine / "run-7-extract.csv", [row("L1", 1, D(2024, 5, 1))])
    age(legacy, 3)
    written = legacy.stat().st_mtime
    result = import_files_expire_task.delay().get()
    assert (result["removed"], result["sealed"]) == (0, 1)
    (sealed,) = assert_nothing_in_clear([media], [1])
    assert sealed.name == "run-7-extract.csv.enc"
    assert sealed.stat().st_mtime == written  # still removed 30 days after it was first kept
    with open_sealed(sealed) as handle:
        assert pnc(1).encode() in handle.read()
    assert AuditEvent.objects.get(action="records.files_seal").detail == {"files": 1}


@pytest.mark.django_db
def test_a_damaged_sealed_upload_fails_its_run_visibly_and_audited(
    client: Client,
    data_manager: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    trial = make_trial()
    client.force_login(data_manager)
    extract = SimpleUploadedFile("may.csv", (HEADER + line("U1", 1)).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=False):  # received, import not yet run
        client.post("/outcomes/upload/", {"trial": trial.pk, "extract": extract})
    run = ImportRun.objects.get()
    stored = Path(run.file_path)
    stored.write_bytes(stored.read_bytes().replace(b"\n", b"\nx", 1))  # one byte changed
    with pytest.raises(ValueError, match="cannot be decrypted"):
        upload_import(run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert AuditEvent.objects.filter(action="records.import_failed", object_id=str(run.pk))


@pytest.mark.django_db
def test_source_changes_and_interrupted_runs_are_audited(tmp_path: Path) -> None:
    trial = make_trial()
    source = folder_source(trial, tmp_path / "drop")
    source_update(source=source, values={"is_active": False}, by=None)
    actions = AuditEvent.objects.filter(
        object_id=str(source.pk), object_type="outcomes.RecordSource"
    )
    assert set(actions.values_list("action", flat=True)) >= {"source.create", "source.update"}
    lost = ImportRun.objects.create(
        source=source,
        label="lost.csv",
        started_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2),
    )
    source_pull(source=RecordSource.objects.get(pk=source.pk))
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED
    event = AuditEvent.objects.get(action="records.import_interrupted")
    assert event.detail["runs"] == [lost.pk]


@pytest.mark.django_db
def test_the_demo_keeps_no_pnc_id_in_clear(settings: Any, tmp_path: Path, media: Path) -> None:
    settings.OUTCOMES_DROP_ROOT = tmp_path / "drop"
    trial = make_trial()
    for number in range(1, 61):
        randomise(trial, number, D(2023, 1, 2) + datetime.timedelta(days=number))
    loaded = demo_outcomes_load(trial=trial, manager=make_user(Role.TRIAL_MANAGER), pnc_of=pnc)
    assert loaded.records > 0
    files = assert_nothing_in_clear([media, tmp_path / "drop"], range(1, 61))
    assert [p.name for p in files if p.parent.name == "imported"]  # the extract, sealed
