"""Follow-up data of one trial is the data and trial managers' of that trial only (issue 14)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import Client

from common.exceptions import NotAllowedError
from common.roles import Role
from outcomes import tasks
from outcomes.models import ImportRun, RecordSource
from outcomes.selectors import dashboard_trials, import_run_get, source_get
from outcomes.services import (
    record_enter,
    records_rematch,
    run_file_open,
    snapshot_correct,
    source_create,
    source_pull_request,
    source_update,
    upload_import,
    upload_receive,
)
from tests.outcomes.support import folder_source, make_trial, pnc, randomise, row, write_csv
from tests.support.factories import grant, make_user
from tests.support.signin import confirm_sign_in
from trial.models import Trial

D = datetime.date
pytestmark = pytest.mark.django_db


def _two_trials(tmp_path: Path) -> tuple[Trial, Trial, RecordSource, ImportRun]:
    """Trials HANTS and WMP; WMP has a folder source and a refused upload (kept, with errors)."""
    hants, wmp = make_trial("HANTS"), make_trial("WMP")
    source = folder_source(wmp, tmp_path / "drop", name="WMP records system")
    extract = SimpleUploadedFile("wmp-bad.csv", b"not,a,valid,header\n1,2,3,4\n", "text/csv")
    run = upload_import(run=upload_receive(trial=wmp, extract=extract, by=None))
    assert run.error_report  # refused: its error report and the file are kept
    return hants, wmp, source, run


def test_a_data_manager_sees_and_opens_only_their_trials_data(
    client: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    hants, wmp, wmp_source, wmp_run = _two_trials(tmp_path)
    folder_source(hants, tmp_path / "hants-drop", name="HANTS records system")
    errors_url = f"/outcomes/runs/{wmp_run.pk}/errors.csv"
    client.force_login(make_user(Role.DATA_MANAGER, trial=wmp))
    assert client.get(errors_url).status_code == 200  # WMP's own data manager reads it
    manager = make_user(Role.DATA_MANAGER, trial=hants)
    client.force_login(manager)
    confirm_sign_in(client)

    page = client.get("/outcomes/")
    assert page.status_code == 200
    assert b"HANTS records system" in page.content
    assert b"WMP records system" not in page.content
    assert b"wmp-bad.csv" not in page.content
    choices = [t.code for t in page.context["upload_form"].fields["trial"].queryset]
    assert choices == ["HANTS"]
    assert [
        t.code
        for t in client.get("/outcomes/records/new/").context["form"].fields["trial"].queryset
    ] == ["HANTS"]

    # Another trial's source and run are not there: 404 for GET and POST.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert client.post(f"/outcomes/sources/{wmp_source.pk}/pull/").status_code == 404
    assert queued == []
    for url in (errors_url, f"/outcomes/runs/{wmp_run.pk}/extract"):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code in (404, 405)
    with pytest.raises(Http404):
        source_get(user=manager, pk=wmp_source.pk)
    with pytest.raises(Http404):
        import_run_get(user=manager, pk=wmp_run.pk)
    assert dashboard_trials(user=manager, trial=wmp) == []


def test_a_data_manager_cannot_upload_or_enter_into_another_trial(
    client: Client, tmp_path: Path
) -> None:
    hants, wmp, _, _ = _two_trials(tmp_path)
    manager = make_user(Role.DATA_MANAGER, trial=hants)
    client.force_login(manager)
    before = ImportRun.objects.count()
    header = "record_id,person_id,offence_date,offence_code,victim_relationship,record_status"
    body = f"{header}\nU1,{pnc(1)},2024-04-01,105/01,same_partner,charge\n"
    upload = SimpleUploadedFile("sneak.csv", body.encode(), "text/csv")
    answer = client.post("/outcomes/upload/", {"trial": wmp.pk, "extract": upload}, follow=True)
    assert b"Choose a trial" in answer.content
    values = {
        "trial": wmp.pk,
        "record_id": "M1",
        "person_id": pnc(1),
        "offence_date": "2024-05-01",
        "offence_code": "105/01",
        "victim_relationship": "same_partner",
        "record_status": "arrest",
    }
    refused = client.post("/outcomes/records/new/", values)
    assert refused.status_code == 200
    assert "trial" in refused.context["form"].errors
    assert ImportRun.objects.count() == before
    assert not RecordSource.objects.filter(trial=wmp, kind="manual").exists()


def test_every_service_refuses_a_person_outside_the_trial(tmp_path: Path) -> None:
    hants, wmp, wmp_source, wmp_run = _two_trials(tmp_path)
    allocation = randomise(wmp, 1, D(2023, 1, 10))
    outsider = make_user(Role.DATA_MANAGER, trial=hants)
    researcher = make_user(Role.RESEARCHER, trial=wmp)  # a role in the trial, not a data role
    extract = SimpleUploadedFile("x.csv", b"a\n", "text/csv")
    folder = str(tmp_path / "x")
    for by in (outsider, researcher):
        refused = "data manager or trial manager of WMP"
        with pytest.raises(NotAllowedError, match=refused):
            upload_receive(trial=wmp, extract=extract, by=by)
        with pytest.raises(NotAllowedError, match=refused):
            record_enter(trial=wmp, values={}, by=by)
        with pytest.raises(NotAllowedError, match=refused):
            source_create(trial=wmp, name="Mine", kind="folder", folder=folder, by=by)
        with pytest.raises(NotAllowedError, match=refused):
            source_update(source=wmp_source, values={"is_active": False}, by=by)
        with pytest.raises(NotAllowedError, match=refused):
            source_pull_request(source=wmp_source, by=by)
        with pytest.raises(NotAllowedError, match=refused):
            records_rematch(trial=wmp, by=by)
        with pytest.raises(NotAllowedError, match=refused):
            snapshot_correct(allocation=allocation, window_months=12, reason="late", by=by)
        with pytest.raises(NotAllowedError, match=refused):
            run_file_open(run=wmp_run, which="errors", by=by)
    wmp_source.refresh_from_db()
    assert wmp_source.is_active
    assert not RecordSource.objects.filter(name="Mine").exists()


def test_a_manager_of_two_trials_sees_the_chosen_one(client: Client, tmp_path: Path) -> None:
    hants, wmp, _, _ = _two_trials(tmp_path)
    manager = make_user(Role.DATA_MANAGER, trial=hants)
    grant(manager, Role.DATA_MANAGER, wmp)
    client.force_login(manager)
    assert b"wmp-bad.csv" not in client.get("/outcomes/").content  # HANTS comes first
    client.post("/trial-choice", {"trial": wmp.pk})
    page = client.get("/outcomes/")
    assert b"wmp-bad.csv" in page.content
    assert [item.trial.code for item in page.context["trials"]] == ["WMP"]


def test_history_import_names_the_trial_option_when_it_is_missing(tmp_path: Path) -> None:
    people = write_csv(tmp_path / "p.csv", [], header=["trial_id"])
    offences = write_csv(tmp_path / "o.csv", [row("R1", 1, D(2024, 1, 1))])
    with pytest.raises(CommandError, match="--trial"):
        call_command("import_trial_history", str(people), str(offences))


def test_history_import_into_another_trial_is_refused(tmp_path: Path) -> None:
    hants, _, _, _ = _two_trials(tmp_path)
    make_user(Role.DATA_MANAGER, trial=hants, username="dora")
    people = write_csv(tmp_path / "p.csv", [], header=["trial_id"])
    offences = write_csv(tmp_path / "o.csv", [row("R1", 1, D(2024, 1, 1))])
    with pytest.raises(CommandError, match="data manager or trial manager of WMP"):
        call_command(
            "import_trial_history", str(people), str(offences), "--trial", "WMP", "--user", "dora"
        )


def test_the_admin_lists_and_offers_only_the_managers_trials(
    client: Client, tmp_path: Path
) -> None:
    hants, _, wmp_source, wmp_run = _two_trials(tmp_path)
    folder_source(hants, tmp_path / "hants-drop", name="HANTS records system")
    manager = make_user(Role.TRIAL_MANAGER, trial=hants, is_staff=True)
    # No role's group opens these admin pages today (superusers use them); were one to, it
    # would still see only its own trials.
    manager.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="outcomes", codename__regex=r"_(recordsource|importrun)$"
        )
    )
    client.force_login(manager)
    listing = client.get("/admin/outcomes/recordsource/")
    assert listing.status_code == 200
    assert b"HANTS records system" in listing.content
    assert b"WMP records system" not in listing.content
    add = client.get("/admin/outcomes/recordsource/add/")
    assert [t.code for t in add.context["adminform"].form.fields["trial"].queryset] == ["HANTS"]
    runs = client.get("/admin/outcomes/importrun/")
    assert b"wmp-bad.csv" not in runs.content
    for url in (
        f"/admin/outcomes/recordsource/{wmp_source.pk}/change/",
        f"/admin/outcomes/importrun/{wmp_run.pk}/change/",
    ):
        assert client.get(url).status_code in (302, 404)  # Django's "does not exist" redirect


def test_the_daily_job_queues_one_task_per_trial_with_participants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hants, wmp, _, _ = _two_trials(tmp_path)
    randomise(hants, 1, D(2024, 1, 10))
    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(tasks.followup_trial_task, "delay", lambda *args: queued.append(args))
    assert tasks.followup_daily("2025-06-01") == [hants.pk]
    assert queued == [(hants.pk, "2025-06-01")]  # WMP has nobody to follow up yet
    assert wmp.pk not in [trial_id for trial_id, _ in queued]
