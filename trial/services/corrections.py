"""Post-randomisation records: the allocation stands and the participant stays in ITT."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from trial.models import Allocation, PostRandomisationEvent, PostRandomisationKind, Trial


def post_randomisation_record(
    *,
    trial: Trial,
    participant_key: str,
    kind: str,
    occurred_on: datetime.date,
    reason: str,
    by: User | None,
) -> PostRandomisationEvent:
    """Record that a randomised participant was randomised in error or withdrew."""
    membership_check(by, trial, Role.TRIAL_MANAGER)
    if kind not in PostRandomisationKind.values:
        raise DomainError("Choose what happened.", field="kind")
    reason = reason.strip()
    if not reason:
        raise DomainError("Say what happened and who decided.", field="reason")
    allocation = Allocation.objects.filter(trial=trial, participant_key=participant_key).first()
    if allocation is None:
        raise DomainError(
            f"Nobody with trial ID {participant_key} has been randomised in {trial.code}.",
            field="participant_key",
        )
    if occurred_on < allocation.randomised_on:
        raise DomainError(
            "This date is before the participant was randomised.", field="occurred_on"
        )
    if occurred_on > timezone.localdate():
        raise DomainError("This date is in the future.", field="occurred_on")
    label = PostRandomisationKind(kind).label.lower()
    try:
        with transaction.atomic():
            event = PostRandomisationEvent.objects.create(
                allocation=allocation,
                kind=kind,
                occurred_on=occurred_on,
                reason=reason,
                recorded_by=by if by is not None and by.pk else None,
            )
            audit_record(
                actor=by,
                action="allocation.post_randomisation",
                obj=event,
                trial=trial.code,
                participant=participant_key,
                kind=kind,
            )
    except IntegrityError as exc:
        raise ConflictError(
            f"{participant_key} is already recorded as {label}.", field="kind"
        ) from exc
    return event
