"""Reads of the outcomes app: the snapshots of a data cut, the data manager's dashboard, and the
extract format and follow-up windows that other apps (reports, the demo) reckon with.

The public surface of outcomes' reads: views, tasks, other apps and the demo import from here.
"""

from outcomes.models import SourceKind
from outcomes.rows import COLUMNS
from outcomes.selectors.extract_format import UPLOAD_COLUMNS, Column
from outcomes.selectors.followup import (
    RUN_ORDER,
    HistoricalBaselineRow,
    SnapshotRow,
    TrialFollowUp,
    UnscoredCode,
    dashboard_trials,
    failed_run_count,
    frozen_counts,
    harm_index_for,
    harm_index_loaded,
    historical_baseline,
    import_run_get,
    latest_data_cut,
    recent_runs,
    snapshots_at_cut,
    source_get,
    trial_sources,
    unscored_codes,
)
from outcomes.selectors.oversight import *  # noqa: F403  (counts for the oversight app)
from outcomes.selectors.sensitivity import (
    ChargedOutcome,
    ScoringTables,
    UnscorableOutcome,
    charged_outcomes,
    unscorable_outcomes,
)
from outcomes.windows import add_months, in_window, window_closed, window_end

__all__ = [
    "COLUMNS",
    "RUN_ORDER",
    "UPLOAD_COLUMNS",
    "ChargedOutcome",
    "Column",
    "HistoricalBaselineRow",
    "ScoringTables",
    "SnapshotRow",
    "SourceKind",
    "TrialFollowUp",
    "UnscorableOutcome",
    "UnscoredCode",
    "add_months",
    "charged_outcomes",
    "dashboard_trials",
    "failed_run_count",
    "frozen_counts",
    "harm_index_for",
    "harm_index_loaded",
    "historical_baseline",
    "import_run_get",
    "in_window",
    "latest_data_cut",
    "recent_runs",
    "snapshots_at_cut",
    "source_get",
    "trial_sources",
    "unscorable_outcomes",
    "unscored_codes",
    "window_closed",
    "window_end",
]
