"""The demo's automatic interim report: blinded, for the committee, believable, built once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from common.models import OutboxMessage
from common.roles import Role
from demo.loader import demo_load
from demo.reports import demo_reports_load
from reports.models import ReportRun, RunStatus
from trial.models import Allocation, Trial


@pytest.mark.django_db
def test_the_demo_has_one_finished_blinded_interim_report_for_the_committee_and_loads_it_once(
    settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    first = demo_load()
    # Loading again returns the report already built (the rest of the demo has its own tests).
    again = demo_reports_load(trial=Trial.objects.get(code="CARA-HANTS"))

    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE
    assert (run.report_type, run.window_months, run.data_cut) == (
        "interim",
        12,
        timezone.localdate(),
    )
    assert f"/research/reports/{run.pk}/" in first.summary
    assert again is not None
    assert again.pk == run.pk
    assert run.results is not None
    assert (run.blinded, run.automatic) == (True, True)
    arms = run.results["arms"]
    assert sorted(arms) == ["A", "B"]  # the committee reads letters, never the arms' names
    assert arms["A"]["n"] > 20
    assert arms["B"]["n"] > 20
    (notice,) = OutboxMessage.objects.filter(kind="reports.report_ready")
    assert notice.recipients["role"] == Role.DATA_MONITORING_COMMITTEE.value
    # The demo's plan v1 declares one interim look with O'Brien-Fleming spending: judged by it.
    monitoring = run.results["monitoring"]
    assert monitoring["planned"] is True
    assert monitoring["look"] == 1
    assert run.results["meta"]["plan"]["version"] == 1
    consort = run.results["consort"]
    assert consort["assessed"] > consort["randomised"]
    # The interim flow counts everyone randomised by the cut, not only those analysed.
    randomised = Allocation.objects.filter(trial__code="CARA-HANTS").count()
    assert consort["randomised"] == randomised
    assert consort["assessed"] - consort["excluded"] == randomised
    assert consort["analysed"] == arms["A"]["n"] + arms["B"]["n"] < randomised
    for code, arm in consort["arms"].items():
        assert arm["analysed"] == arms[code]["n"]
        assert arm["allocated"] - arm["window_open"] - arm["not_frozen"] == arm["analysed"]
    assert not any("follow-up" in reason.lower() for reason in consort["excluded_by_reason"])
    assert run.pdf.read(4) == b"%PDF"
