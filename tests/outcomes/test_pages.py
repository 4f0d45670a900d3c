"""The data manager's pages: dashboard, upload, manual entry, reading a source now."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from common.models import User
from outcomes.models import ImportRun, ReoffenceRecord, RunStatus
from tests.outcomes.support import folder_source, make_trial, pnc, randomise, row, write_csv

D = datetime.date


@pytest.mark.django_db
def test_only_data_and_trial_managers_open_the_pages(
    client: Client, data_manager: User, trial_manager: User, officer: User, researcher: User
) -> None:
    make_trial()
    for user in (data_manager, trial_manager):
        client.force_login(user)
        page = client.get("/outcomes/")
        assert page.status_code == 200
        assert b"12-month snapshots" in page.content
    for user in (officer, researcher):
        client.force_login(user)
        assert client.get("/outcomes/").status_code == 403
        assert client.get("/outcomes/records/new/").status_code == 403


@pytest.mark.django_db
def test_an_uploaded_extract_is_imported_and_listed(
    client: Client, data_manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    trial = make_trial()
    randomise(trial, 1, D(2024, 1, 10))
    body = "record_id;person_id;offence_date;offence_code;victim_relationship;record_status\n"
    body += f"U1;{pnc(1)};2024-04-01;105/01;same_partner;charge\n"
    body += f"U2;{pnc(5)};2024-04-02;105/01;family;arrest\n"
    client.force_login(data_manager)
    upload = SimpleUploadedFile("march.csv", ("\ufeff" + body).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/outcomes/upload/", {"trial": trial.pk, "extract": upload}, follow=True
        )
    assert b"march.csv received" in answer.content
    run = ImportRun.objects.get()
    assert (run.status, run.added, run.unmatched) == (RunStatus.SUCCEEDED, 2, 1)
    page = client.get("/outcomes/")
    assert b"Unmatched records: <strong>1</strong>" in page.content
    assert b"march.csv" in page.content


@pytest.mark.django_db
def test_manual_entry_shows_errors_next_to_the_field_then_adds(
    client: Client, data_manager: User
) -> None:
    trial = make_trial()
    randomise(trial, 1, D(2024, 1, 10))
    client.force_login(data_manager)
    values = {
        "trial": trial.pk,
        "record_id": "M1",
        "person_id": "14/0000001Q",
        "offence_date": "2024-05-01",
        "offence_code": "105/01",
        "victim_relationship": "same_partner",
        "record_status": "arrest",
    }
    refused = client.post("/outcomes/records/new/", values)
    assert refused.status_code == 200
    assert b"check letter does not match" in refused.content
    assert ReoffenceRecord.objects.count() == 0
    values["person_id"] = pnc(1)
    added = client.post("/outcomes/records/new/", values, follow=True)
    assert b"Record M1 added" in added.content
    record = ReoffenceRecord.objects.get()
    assert record.allocation is not None
    twice = client.post("/outcomes/records/new/", values)
    assert b"was entered already" in twice.content
    assert ReoffenceRecord.objects.count() == 1


@pytest.mark.django_db
def test_read_now_pulls_a_folder_source(
    client: Client, data_manager: User, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    trial = make_trial()
    source = folder_source(trial, tmp_path / "drop")
    write_csv(tmp_path / "drop" / "a.csv", [row("F1", 1, D(2024, 5, 1))])
    client.force_login(data_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/outcomes/sources/{source.pk}/pull/")
    assert ImportRun.objects.get().added == 1


@pytest.mark.django_db
def test_the_import_runs_come_in_pages_of_fifty_latest_first(
    client: Client, data_manager: User, tmp_path: Path
) -> None:
    trial = make_trial()
    source = folder_source(trial, tmp_path)
    ImportRun.objects.bulk_create(
        ImportRun(source=source, label=f"extract-{n:02d}.csv", status=RunStatus.SUCCEEDED)
        for n in range(55)
    )
    client.force_login(data_manager)
    first = client.get("/outcomes/").context["runs"]
    labels = [run.label for run in first.object_list]
    assert len(labels) == 50
    assert not first.has_previous
    earlier = client.get("/outcomes/", {"cursor": first.next_cursor}).context["runs"]
    assert len(earlier.object_list) == 5
    assert not set(labels) & {run.label for run in earlier.object_list}
    later = client.get("/outcomes/", {"cursor": earlier.previous_cursor}).context["runs"]
    assert [run.label for run in later.object_list] == labels
