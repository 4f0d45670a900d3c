"""Reads of the reports app: who sees which runs and trials, and the analysis dataset of a cut.

The public surface of reports' reads: views, tasks, commands and the demo import from here.
"""

from reports.analysis.bootstrap import DEFAULT_REPS, DEFAULT_SEED
from reports.analysis.export import data_dictionary_csv
from reports.analysis.results import analyse
from reports.models import ReportType
from reports.selectors.datasets import (
    DECLINED,
    NOT_RANDOMISED_YET,
    analysis_dataset,
    request_check,
)
from reports.selectors.runs import (
    ArmRecruitment,
    TrialSummary,
    WindowProgress,
    can_see_reports,
    reportable_trials,
    run_for_build,
    run_get,
    runs_visible_to,
    trial_summaries,
)

__all__ = [
    "DECLINED",
    "DEFAULT_REPS",
    "DEFAULT_SEED",
    "NOT_RANDOMISED_YET",
    "ArmRecruitment",
    "ReportType",
    "TrialSummary",
    "WindowProgress",
    "analyse",
    "analysis_dataset",
    "can_see_reports",
    "data_dictionary_csv",
    "reportable_trials",
    "request_check",
    "run_for_build",
    "run_get",
    "runs_visible_to",
    "trial_summaries",
]
