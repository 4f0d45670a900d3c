"""Every read of the plans app that others may make."""

from plans.selectors.plans import (
    PLAN_ROLES,
    plan_for_report,
    plan_in_force,
    plan_latest,
    plan_power,
    plan_versions,
)
from plans.selectors.unblinding import first_unblinded_report_at

__all__ = [
    "PLAN_ROLES",
    "first_unblinded_report_at",
    "plan_for_report",
    "plan_in_force",
    "plan_latest",
    "plan_power",
    "plan_versions",
]
