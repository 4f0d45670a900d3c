"""The demo's interim report: finished at today's cut, believable numbers, built once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from demo.loader import demo_load
from demo.reports import demo_reports_load
from reports.models import ReportRun, RunStatus
from trial.models import Allocation, Trial


@pytest.mark.django_db
def test_the_demo_has_one_finished_interim_report_and_loads_it_once(
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
    arms = run.results["arms"]
    assert arms["cara"]["n"] > 20
    assert arms["control"]["n"] > 20
    assert arms["cara"]["prevalence"] < arms["control"]["prevalence"] + 0.1
    consort = run.results["consort"]
    assert consort["assessed"] > consort["randomised"]
    # The interim flow counts everyone randomised by the cut, not only those analysed.
    randomised = Allocation.objects.filter(trial__code="CARA-HANTS").count()
    assert consort["randomised"] == randomised
    assert consort["assessed"] - consort["excluded"] == randomised
    assert consort["analysed"] == arms["cara"]["n"] + arms["control"]["n"] < randomised
    for code, arm in consort["arms"].items():
        assert arm["analysed"] == arms[code]["n"]
        assert arm["allocated"] - arm["window_open"] - arm["not_frozen"] == arm["analysed"]
    assert not any("follow-up" in reason.lower() for reason in consort["excluded_by_reason"])
    assert run.pdf.read(4) == b"%PDF"
