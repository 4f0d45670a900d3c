"""Demo report: one finished interim report of the 12-month window at today's cut.

Unblinded, so asked by the demo's data monitoring committee member with a justification (an
unblinded interim look is theirs only); the daily automatic one is blinded. Built synchronously
through the same services the Celery task calls, so researchers find a report and a dataset the
moment the demo is loaded. Safe to run again: the same data at the same cut returns the report
already built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from common.exceptions import DomainError
from common.models import User
from reports.selectors import ReportType
from reports.services import report_build, report_request

if TYPE_CHECKING:
    from reports.models import ReportRun
    from trial.models import Trial

WINDOW_MONTHS = 12
JUSTIFICATION = (
    "Demo: the committee reviews the first 12-month wave unblinded for victim-safety signals."
)


def demo_reports_load(*, trial: Trial) -> ReportRun | None:
    """Build the demo's interim report; None when no 12-month window has closed yet."""
    if WINDOW_MONTHS not in [int(m) for m in trial.follow_up_months]:
        return None
    member = User.objects.filter(username="dmc").first()
    try:
        run = report_request(
            trial=trial,
            window_months=WINDOW_MONTHS,
            data_cut=timezone.localdate(),
            report_type=ReportType.INTERIM,
            blinded=False,
            by=member,
            justification=JUSTIFICATION,
            queue=False,  # built here, now, rather than by a worker that may not be running
        )
    except DomainError:
        return None  # e.g. the demo's follow-up has not frozen both arms yet
    return run if run.is_finished else report_build(run=run)
