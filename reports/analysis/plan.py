"""The analysis plan in force at the cut, as the report cites it (plans.selectors.plan_for_report).

The plan decides what the report calls primary, the minimum analysed per arm, and the interim
looks and spending the monitoring block judges a look by; its open-science facts (registration,
protocol and plan versions, funding, data sharing, sample size) are printed as the plan says.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reports.analysis.dataset import MIN_PER_ARM

NO_PLAN = "No statistical analysis plan was declared for this trial by the data cut."


def _day(text: str) -> str:
    return datetime.fromisoformat(text).strftime("%d/%m/%Y")


def _sample_size(plan: dict[str, Any]) -> str:
    power = plan.get("power") or {}
    text = f"{plan['planned_n']:,} men (both arms)"
    needed, achieved = power.get("n_per_arm_required"), power.get("achieved_power")
    if needed:
        text += f"; {needed:,.0f} per arm needed for the target power"
    if achieved:
        text += f"; power {100 * achieved:.0f}% at the planned size"
    return text


def plan_meta(plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the plan as the results carry it: its own facts plus the report's wording."""
    if plan is None:
        return None
    registration = plan.get("registration") or {}
    reg = " ".join(x for x in (registration.get("id"), registration.get("url")) if x)
    return {
        **plan,
        "plan_version": f"version {plan['version']} of {_day(plan['created_at'])}",
        "registration": reg or None,
        "funding": plan.get("funder") or None,
        "sample_size": _sample_size(plan) if plan.get("planned_n") else None,
    }


def plan_fields(plan: dict[str, Any] | None) -> dict[str, Any]:
    """Return the TrialMeta fields the plan sets (monitoring and the small-sample guard)."""
    if plan is None:
        return {}
    looks = int(plan.get("looks") or 0) if plan.get("spending") != "none" else 0
    return {
        "plan": plan_meta(plan),
        "planned_sample_size": plan.get("planned_n"),
        "interim_looks": looks,
        "spending": plan["spending"] if looks else "obrien_fleming",
        "min_per_arm": int(plan.get("min_per_arm") or MIN_PER_ARM),
    }
