"""Every write of the plans app."""

from plans.services.checks import PLAN_FIELDS, PlanInvalidError, plan_check
from plans.services.saving import plan_save

__all__ = ["PLAN_FIELDS", "PlanInvalidError", "plan_check", "plan_save"]
