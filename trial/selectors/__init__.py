"""Reads of the trial app, for its pages and for other apps: row-level visibility is decided here.

The public surface of trial's reads: other apps, views and commands import from here only.
"""

from trial.models import PostRandomisationKind, TrialStatus
from trial.selectors.charts import stacked_bars
from trial.selectors.labels import AREA, area_names, stratum_label
from trial.selectors.lookup import (
    STARTED,
    allocation_get,
    allocations,
    erasure_due_on,
    latest_verification,
    trial_arms,
    trial_by_code,
    trial_get,
    trial_list,
    trial_locked,
    trials_due_for_erasure,
    trials_with_allocations,
    withdrawn_keys,
)
from trial.selectors.trials import (
    Balance,
    CountRow,
    allocation_events_for,
    balance_for,
    current_design,
    trial_for,
    trials_for,
    trials_for_balance,
    trials_for_manager,
)

__all__ = [
    "AREA",
    "STARTED",
    "Balance",
    "CountRow",
    "PostRandomisationKind",
    "TrialStatus",
    "allocation_events_for",
    "allocation_get",
    "allocations",
    "area_names",
    "balance_for",
    "current_design",
    "erasure_due_on",
    "latest_verification",
    "stacked_bars",
    "stratum_label",
    "trial_arms",
    "trial_by_code",
    "trial_for",
    "trial_get",
    "trial_list",
    "trial_locked",
    "trials_due_for_erasure",
    "trials_for",
    "trials_for_balance",
    "trials_for_manager",
    "trials_with_allocations",
    "withdrawn_keys",
]
