"""Writes of a trial's eligibility rule sets: versions are added, never edited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from common.exceptions import DomainError
from common.models import User
from common.services import audit_record
from participants.eligibility.defaults import CARA_DEFAULTS
from participants.models import EligibilityRuleSet
from trial.selectors import trial_locked

if TYPE_CHECKING:
    from trial.models import Trial


def rule_set_publish(
    *, trial: Trial, parameters: Mapping[str, Any], reason: str, by: User | None
) -> EligibilityRuleSet:
    """Add a new version of the trial's rules; cases already screened keep their version."""
    unknown = set(parameters) - set(CARA_DEFAULTS)
    if unknown:
        raise DomainError(
            f"Unknown eligibility parameters: {', '.join(sorted(unknown))}.", field="parameters"
        )
    with transaction.atomic():
        trial_locked(pk=trial.pk)  # one version number at a time
        latest = trial.rule_sets.aggregate(v=Max("version"))["v"] or 0
        rule_set = EligibilityRuleSet.objects.create(
            trial=trial,
            version=latest + 1,
            parameters=dict(parameters),
            reason=reason,
            created_by=by,
        )
        audit_record(
            actor=by,
            action="eligibility.publish",
            obj=rule_set,
            trial=trial.code,
            version=rule_set.version,
        )
    return rule_set


def rule_set_current(*, trial: Trial, by: User | None) -> EligibilityRuleSet:
    """Return the rules in force, publishing CARA's defaults as version 1 for a new trial."""
    latest = trial.rule_sets.order_by("-version").first()
    if latest is not None:
        return latest
    return rule_set_publish(
        trial=trial, parameters=CARA_DEFAULTS, reason="CARA defaults (design.md)", by=by
    )
