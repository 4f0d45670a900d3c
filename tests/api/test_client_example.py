"""docs/api_client.py against a live server: a CSV pushed (once), a refused part, the dataset."""

from __future__ import annotations

import csv
import datetime
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from api.services import token_create_service
from common.models import AuditEvent
from common.roles import Role
from outcomes.models import ReoffenceRecord
from outcomes.rows import COLUMNS
from tests.outcomes.support import folder_source, row
from tests.reports.conftest import outcomes_trial
from tests.reports.support import LiveTrial, built_run
from tests.support.factories import make_user, organisation
from tests.support.roles import roles_restore

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "docs" / "api_client.py"


@pytest.fixture
def live(transactional_db: None) -> LiveTrial:
    roles_restore()  # an earlier transactional test flushed the groups
    return outcomes_trial()


def _token(live: LiveTrial, org: str, *scopes: str, **kw: Any) -> str:
    _, secret = token_create_service(
        name=f"{org} system",
        trial=live.trial,
        organisation=organisation(org, **kw),
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=30),
        by=make_user(Role.TRIAL_MANAGER, trial=live.trial),
    )
    return secret


def _client(live_server: Any, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the example as its users would: its own process, only the environment it documents."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TRIAL_API_URL": live_server.url,
        "TRIAL_CODE": "CARA",
        "TRIAL_API_TOKEN": token,
    }
    return subprocess.run(
        [sys.executable, str(CLIENT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def test_the_example_pushes_a_csv_once_and_a_bad_part_stores_nothing(
    live_server: Any, live: LiveTrial, tmp_path: Path
) -> None:
    folder_source(live.trial, tmp_path / "drop", name="Niche RMS extracts")
    token = _token(live, "Hampshire Constabulary", "records:write")
    start = datetime.date(2024, 3, 1)
    rows = [row(f"R{i:05d}", i % 5 + 1, start + datetime.timedelta(days=i)) for i in range(12)]
    held = ReoffenceRecord.objects.count()
    good = _csv(tmp_path / "reoffences.csv", rows)
    first = _client(live_server, token, "push", str(good), "--source", "Niche RMS extracts")
    assert first.returncode == 0, first.stderr
    assert "12 records sent: 12 new, 0 already held" in first.stdout
    assert ReoffenceRecord.objects.count() == held + 12
    again = _client(live_server, token, "push", str(good), "--source", "Niche RMS extracts")
    assert "12 records sent: 0 new, 12 already held" in again.stdout, again.stderr
    assert ReoffenceRecord.objects.count() == held + 12

    bad = list(rows)
    bad[4] = row("R90004", 1, "2024-02-30")
    refused = _client(
        live_server,
        token,
        "push",
        str(_csv(tmp_path / "bad.csv", bad)),
        "--source",
        "Niche RMS extracts",
    )
    assert refused.returncode == 1
    assert '"csv_line": 6' in refused.stderr  # row 4 after the header
    assert "offence_date" in refused.stderr
    assert ReoffenceRecord.objects.count() == held + 12
    unknown = _client(live_server, token, "push", str(good), "--source", "Nowhere")
    assert "No record source 'Nowhere'" in unknown.stderr


def test_the_example_saves_the_newest_unblinded_dataset_with_its_reason_recorded(
    live_server: Any, live: LiveTrial, tmp_path: Path
) -> None:
    run = built_run(live.trial)
    token = _token(
        live, "University of Cambridge", "reports:read", "dataset:read", kind="university"
    )
    out = tmp_path / "dataset.csv"
    pulled = _client(live_server, token, "pull", "--why", "Final analysis in R", "--out", str(out))
    assert pulled.returncode == 0, pulled.stderr
    assert f"report run {run.pk}" in pulled.stdout
    with run.dataset_csv.open("rb") as handle:
        assert out.read_bytes() == handle.read()
    event = AuditEvent.objects.get(action="disclosure.report_dataset")
    assert "Final analysis in R" in str(event.detail)
    no_reason = _client(live_server, token, "pull", "--why", "", "--out", str(out))
    assert no_reason.returncode == 1
    assert "X-Justification" in no_reason.stderr
