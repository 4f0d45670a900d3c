"""A CARA-like plan's answers, and an unblinded report that has been built."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone

from reports.models import ReportRun, RunStatus
from trial.models import Trial


def cara_plan(**overrides: Any) -> dict[str, Any]:
    """Return the answers of a believable CARA plan (harm primary, 300 men, one interim look)."""
    return {
        "primary_outcome": "harm",
        "secondary_outcomes": ["prevalence", "frequency", "time_to_first"],
        "alpha": 0.05,
        "sided": "two",
        "planned_n": 300,
        "power_basis": "means",
        "control_mean": 11.6,
        "intervention_mean": 6.0,
        "sd": 16.0,
        "power_target": 0.8,
        "interim_looks": 1,
        "spending": "obrien_fleming",
        "sensitivity": ["unscorable_bounds", "charge_only", "winsorised_99"],
        "registration_id": "ISRCTN12345678",
        "registration_url": "https://www.isrctn.com/ISRCTN12345678",
        "funder": "Police Knowledge Fund (College of Policing)",
        "protocol_version": "2.1",
        "data_sharing": "Pseudonymised data on request to the research team.",
        **overrides,
    }


def unblinded_report(trial: Trial, *, blinded: bool = False, status: str = RunStatus.DONE) -> None:
    """Record a report of the trial as built (the worker's own steps are not under test)."""
    done = status == RunStatus.DONE
    ReportRun.objects.create(
        trial=trial,
        report_type="interim",
        window_months=12,
        data_cut=datetime.date(2026, 6, 30),
        blinded=blinded,
        dataset_sha256=uuid.uuid4().hex * 2,  # each run its own dataset
        status=status,
        progress=100 if done else 0,
        pdf="reports/x.pdf" if done else "",
        results={} if done else None,
        finished_at=timezone.now() if done else None,
    )
