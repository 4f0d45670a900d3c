"""Demo report: the automatic interim report of the 12-month window at today's cut, blinded.

As the daily job makes it after a follow-up wave: arms labelled A and B, its notice to the trial's
data monitoring committee only (an unblinded interim look is the committee's, with a reason).
Built synchronously through the same services the Celery task calls, so the report is there the
moment the demo is loaded. Safe to run again: the same data at the same cut returns the report
already built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from common.exceptions import DomainError
from reports.selectors import ReportType
from reports.services import report_build, report_request

if TYPE_CHECKING:
    from reports.models import ReportRun
    from trial.models import Trial

WINDOW_MONTHS = 12


def demo_reports_load(*, trial: Trial) -> ReportRun | None:
    """Build the demo's automatic interim report; None when no 12-month window has closed yet."""
    if WINDOW_MONTHS not in [int(m) for m in trial.follow_up_months]:
        return None
    try:
        run = report_request(
            trial=trial,
            window_months=WINDOW_MONTHS,
            data_cut=timezone.localdate(),
            report_type=ReportType.INTERIM,
            blinded=True,
            by=None,
            automatic=True,
            queue=False,  # built here, now, rather than by a worker that may not be running
        )
    except DomainError:
        return None  # e.g. the demo's follow-up has not frozen both arms yet
    return run if run.is_finished else report_build(run=run)
