"""Demo analysis plan: CARA's plan, version 1, declared before any unblinded report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plans.selectors import plan_latest
from plans.services import plan_save

if TYPE_CHECKING:
    from common.models import User
    from plans.models import AnalysisPlan
    from trial.models import Trial

# Harm in CCHI days: the published control mean and a reduction like the one CARA found, with
# a standard deviation wide enough for a skewed harm score.
CARA_PLAN: dict[str, Any] = {
    "primary_outcome": "harm",
    "secondary_outcomes": ["prevalence", "frequency", "time_to_first"],
    "per_protocol": True,
    "cace": True,
    "alpha": 0.05,
    "sided": "two",
    "planned_n": 300,
    "power_basis": "means",
    "control_mean": 11.6,
    "intervention_mean": 8.4,
    "sd": 9.5,
    "power_target": 0.8,
    "interim_looks": 1,
    "spending": "obrien_fleming",
    "min_per_arm": 10,
    "sensitivity": ["unscorable_bounds", "charge_only", "winsorised_99"],
    "registration_id": "ISRCTN10786319",
    "registration_url": "https://www.isrctn.com/ISRCTN10786319",
    "funder": "Police Knowledge Fund (College of Policing)",
    "protocol_version": "1.2",
    "data_sharing": (
        "The pseudonymised per-participant dataset and this plan are available to researchers "
        "on request to the trial team, after the final report, under a data-sharing agreement."
    ),
}


def demo_plan_load(*, trial: Trial, manager: User) -> AnalysisPlan:
    """Save the demo trial's analysis plan v1 (kept if the trial has one already)."""
    existing = plan_latest(trial=trial)
    if existing is not None:
        return existing
    return plan_save(actor=manager, trial=trial, **CARA_PLAN)
