"""The statistician's standalone script agrees with the service's stored sequence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from common.models import AuditEvent
from common.roles import Role
from tests.support.factories import make_user
from trial.services import ArmSpec, allocation_claim

from .support import make_trial

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "check_sequence.py"


def run_script(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60
    )


@pytest.mark.django_db
def test_the_offline_script_regenerates_the_stored_sequence_and_spots_a_change(
    tmp_path: Path,
) -> None:
    manager = make_user(Role.TRIAL_MANAGER, username="stats")
    trial = make_trial(
        arms=[ArmSpec("workshop", "Workshop", 2), ArmSpec("control", "Control", 1)],
        factors={"area": ["north", "south"], "risk": ["standard", "medium"]},
    )
    strata = {"area": "north", "risk": "standard"}
    for n in range(1, 30):  # runs one stratum past its first blocks, so it is extended
        allocation_claim(
            trial=trial, participant_key=f"CARA-{n}", person_key=f"p{n}", strata=strata, by=None
        )
    export = tmp_path / "CARA-sequence.json"
    call_command(
        "export_sequence",
        "--trial",
        "CARA",
        "--user",
        "stats",
        "--reason",
        "Independent check before the interim analysis",
        "--output",
        str(export),
    )
    assert export.stat().st_mode & 0o777 == 0o600
    event = AuditEvent.objects.get(action="sequence.export")
    assert event.actor == manager
    assert event.detail["reason"] == "Independent check before the interim analysis"

    done = run_script(export)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK CARA: 4 strata" in done.stdout

    data = json.loads(export.read_text())
    slots = data["designs"][0]["strata"][0]["slots"]
    slots[3][2] = "control" if slots[3][2] == "workshop" else "workshop"
    export.write_text(json.dumps(data))
    done = run_script(export)
    assert done.returncode == 1
    assert "MISMATCH design v1 stratum" in done.stdout
    assert "position 4" in done.stdout


@pytest.mark.django_db
def test_exporting_needs_the_permission(tmp_path: Path) -> None:
    make_user(Role.RESEARCHER, username="curious")
    make_trial()
    with pytest.raises(CommandError, match="view_sequence permission"):
        call_command(
            "export_sequence",
            "--trial",
            "CARA",
            "--user",
            "curious",
            "--reason",
            "I would like to know",
            "--output",
            str(tmp_path / "x.json"),
        )
    assert not (tmp_path / "x.json").exists()
