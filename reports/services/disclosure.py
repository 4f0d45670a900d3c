"""A report's PDF or dataset leaving the application, logged as a disclosure (s.62)."""

from __future__ import annotations

import csv
import io

from django.db import transaction

from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import disclosure_record
from reports.models import ReportRun


def dataset_trial_ids(dataset_csv: bytes) -> list[str]:
    """Return the trial IDs a pseudonymised dataset holds (what its disclosure names)."""
    rows = csv.DictReader(io.StringIO(dataset_csv.decode("utf-8-sig")))
    return sorted({row["trial_id"] for row in rows if row.get("trial_id")})


@transaction.atomic
def run_disclose(
    *,
    run: ReportRun,
    by: User,
    what: str,
    purpose: str,
    recipient: str,
    justification: str = "",
    participants: list[str] | None = None,
) -> None:
    """Record the download of a run's PDF ('pdf') or dataset ('dataset') with its purpose."""
    roles = [Role.RESEARCHER, Role.TRIAL_MANAGER]
    if what == "pdf":  # the committee reads the report, never the dataset
        roles.append(Role.DATA_MONITORING_COMMITTEE)
    membership_check(by, run.trial, *roles)
    disclosure_record(
        actor=by,
        kind=f"report_{what}",
        obj=run,
        purpose=purpose,
        recipient=recipient,
        justification=justification,
        trial=run.trial.code,
        data_cut=run.data_cut.isoformat(),
        window_months=run.window_months,
        blinded=run.blinded,
        participants=participants or [],
        cases=len(participants or []),
    )
