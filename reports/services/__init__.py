"""Writes of the reports app: report runs requested, built, failed and announced.

The public surface of reports' writes: views, tasks, commands and the demo import from here.
"""

from reports.services.disclosure import dataset_trial_ids, run_disclose
from reports.services.notifications import notices_register, report_recipients
from reports.services.runs import (
    STAGES,
    auto_reports_request,
    report_build,
    report_fail,
    report_request,
)

__all__ = [
    "STAGES",
    "auto_reports_request",
    "dataset_trial_ids",
    "notices_register",
    "report_build",
    "report_fail",
    "report_recipients",
    "report_request",
    "run_disclose",
]
