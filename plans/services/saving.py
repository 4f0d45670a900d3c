"""Saving a new version of a trial's analysis plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from common.exceptions import ConflictError, DomainError
from common.memberships import membership_check
from common.roles import Role
from common.services import audit_record
from plans.models import AnalysisPlan
from plans.selectors import first_unblinded_report_at
from plans.services.checks import PLAN_FIELDS, plan_check

if TYPE_CHECKING:
    from common.models import User
    from trial.models import Trial


def plan_save(*, actor: User | None, trial: Trial, reason: str = "", **fields: Any) -> AnalysisPlan:
    """Save the next version of the trial's analysis plan (unchanged fields carried over)."""
    membership_check(actor, trial, Role.TRIAL_MANAGER)
    reason = (reason or "").strip()
    with transaction.atomic():
        # Lock the versions so two managers saving at once cannot both take the same number.
        versions = list(
            AnalysisPlan.objects.select_for_update().filter(trial=trial).order_by("-version")
        )
        last = versions[0] if versions else None
        before = {k: v for k, v in model_to_dict(last).items() if k in PLAN_FIELDS} if last else {}
        clean = plan_check({**before, **fields})
        unblinded_at = first_unblinded_report_at(trial)
        if last is not None and not reason:
            raise DomainError(
                "Say why the plan changes: every version after the first needs a reason.",
                field="reason",
            )
        if unblinded_at is not None and not reason:
            raise DomainError(
                "Say why the plan changes after an unblinded report: the report will show it.",
                field="reason",
            )
        if last is not None and all(clean[k] == before.get(k) for k in PLAN_FIELDS):
            raise DomainError("Nothing in the plan changed: no new version saved.", field=None)
        try:
            with transaction.atomic():
                plan = AnalysisPlan.objects.create(
                    trial=trial,
                    version=(last.version + 1) if last else 1,
                    created_by=actor if actor is not None and actor.pk else None,
                    reason=reason,
                    after_unblinding=unblinded_at is not None,
                    **clean,
                )
        except IntegrityError:
            raise ConflictError(
                "Another version was saved at the same moment: try again."
            ) from None
        changed = sorted(k for k in PLAN_FIELDS if clean[k] != before.get(k)) if last else []
        audit_record(
            actor=actor,
            action="plan.save",
            obj=plan,
            trial=trial.code,
            version=plan.version,
            reason=reason,
            after_unblinding=plan.after_unblinding,
            changed=changed,
        )
    return plan
