"""When a trial's arms were first seen by name: its first unblinded report that was built."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.db.models import Min


def first_unblinded_report_at(trial: Any) -> datetime.datetime | None:
    """Return when the trial's first unblinded report finished (None: never unblinded)."""
    # reports sits above plans (it cites the plan), so plans may not import it: the run model
    # is looked up by name, read only, as a string foreign key would name it.
    runs = apps.get_model("reports", "ReportRun")._default_manager
    done = runs.filter(trial=trial, blinded=False, status="done")
    found = done.aggregate(at=Min("finished_at"), asked=Min("requested_at"))
    at: datetime.datetime | None = found["at"] or found["asked"]
    return at
