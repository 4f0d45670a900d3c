"""Victim-safety events: the harms an officer learns of after randomisation, counted by arm."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from common.exceptions import DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from participants.models import Participant, SafetyEvent, SafetyEventKind
from participants.selectors.cases import case_check


def safety_event_record(
    *,
    actor: User | None,
    participant: Participant,
    occurred_on: datetime.date,
    kind: str,
    notes: str = "",
) -> SafetyEvent:
    """Record a victim-safety event on an enrolled case (officers and managers of its trial)."""
    case_check(user=actor, participant=participant)
    if kind not in SafetyEventKind.values:
        raise DomainError("Choose what happened.", field="kind")
    if occurred_on > timezone.localdate():
        raise DomainError("The date of the event is in the future.", field="occurred_on")
    with transaction.atomic():
        locked = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("allocation", "trial")
            .get(pk=participant.pk)
        )
        if locked.allocation is None:
            # Harms are compared by arm: an event before randomisation belongs to no arm.
            raise NotAllowedError(f"{locked.pseudonym} is not randomised: no event to record.")
        if occurred_on < locked.allocation.randomised_on:
            raise DomainError(
                f"The date of the event is before randomisation "
                f"({locked.allocation.randomised_on:%d/%m/%Y}).",
                field="occurred_on",
            )
        event = SafetyEvent.objects.create(
            participant=locked,
            occurred_on=occurred_on,
            kind=kind,
            notes=notes.strip() or None,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="participant.safety_event_record",
            obj=event,
            trial=locked.trial.code,
            participant=locked.pseudonym,
            kind=kind,
        )
    return event
