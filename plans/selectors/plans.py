"""Reads of analysis plans: the version in force at a date, and the history by who asks."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from common.memberships import AnyUser, trial_q
from common.roles import Role
from plans.models import AnalysisPlan, Outcome, Sensitivity, Sided, Spending
from plans.power import PowerResult, power_for

if TYPE_CHECKING:
    from trial.models import Trial

PLAN_ROLES = (Role.RESEARCHER, Role.TRIAL_MANAGER)


def plan_in_force(*, trial: Trial, at: datetime.date) -> AnalysisPlan | None:
    """Return the latest version saved on or before the date (None: no plan yet)."""
    # The end of the day, in the trial's local time: a version saved on the cut's day counts.
    end = datetime.datetime.combine(at + datetime.timedelta(days=1), datetime.time())
    before = timezone.make_aware(end)
    found = AnalysisPlan.objects.filter(trial=trial, created_at__lt=before)
    return found.select_related("created_by").order_by("-version").first()


def plan_latest(*, trial: Trial) -> AnalysisPlan | None:
    """Return the trial's newest plan version (None: no plan yet)."""
    return AnalysisPlan.objects.filter(trial=trial).order_by("-version").first()


def plan_versions(user: AnyUser, trial: Trial) -> QuerySet[AnalysisPlan]:
    """Return the trial's plan versions, newest first, if the user researches or manages it."""
    found = AnalysisPlan.objects.filter(trial=trial).filter(trial_q(user, *PLAN_ROLES))
    return found.select_related("created_by").order_by("-version")


def plan_power(plan: AnalysisPlan) -> PowerResult:
    """Return the plan's power calculation: men needed per arm and the planned size's power."""
    return power_for(
        basis=plan.power_basis,
        alpha=plan.alpha,
        power_target=plan.power_target,
        sided=plan.sided,
        planned_n=plan.planned_n,
        control_mean=plan.control_mean,
        intervention_mean=plan.intervention_mean,
        sd=plan.sd,
        control_rate=plan.control_rate,
        intervention_rate=plan.intervention_rate,
    )


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def plan_for_report(trial: Trial, data_cut: datetime.date) -> dict[str, Any] | None:
    """Return the plan in force at the cut as plain JSON-able values (None: no plan declared)."""
    plan = plan_in_force(trial=trial, at=data_cut)
    if plan is None:
        return None
    later = AnalysisPlan.objects.filter(trial=trial, version__lte=plan.version)
    changes = [
        {
            "version": p.version,
            "created_at": p.created_at.isoformat(),
            "reason": p.reason,
        }
        for p in later.filter(after_unblinding=True).order_by("version")
    ]
    return {
        "version": plan.version,
        "created_at": plan.created_at.isoformat(),
        "primary": plan.primary_outcome,
        "primary_label": _label(Outcome, plan.primary_outcome),
        "secondary": list(plan.secondary_outcomes),
        "secondary_labels": [_label(Outcome, o) for o in plan.secondary_outcomes],
        "estimands": {"itt": "primary", "per_protocol": plan.per_protocol, "cace": plan.cace},
        "alpha": plan.alpha,
        "sided": plan.sided,
        "sided_label": _label(Sided, plan.sided),
        "planned_n": plan.planned_n,
        "power": {
            "inputs": {
                "control_mean": plan.control_mean,
                "intervention_mean": plan.intervention_mean,
                "sd": plan.sd,
                "control_rate": plan.control_rate,
                "intervention_rate": plan.intervention_rate,
                "power_target": plan.power_target,
            },
            **plan_power(plan).as_dict(),
        },
        "looks": plan.interim_looks,
        "spending": plan.spending,
        "spending_label": _label(Spending, plan.spending),
        "min_per_arm": plan.min_per_arm,
        "sensitivity": list(plan.sensitivity),
        "sensitivity_labels": [_label(Sensitivity, s) for s in plan.sensitivity],
        "registration": {"id": plan.registration_id, "url": plan.registration_url},
        "funder": plan.funder,
        "protocol_version": plan.protocol_version,
        "data_sharing": plan.data_sharing,
        "after_unblinding": changes,
    }
