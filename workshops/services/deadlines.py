"""The officer's decisions about a man's deadline: extend it (with a reason), or end it there.

The deadline itself is the participants app's (participants.services.workshop_deadline_extend
writes it and audits the dates); the decision and its reason, which may name people, are kept
here, encrypted. One transaction holds both.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from participants.selectors import participant_locked
from participants.services import workshop_deadline_extend
from workshops.models import (
    FINAL_DEADLINE_OUTCOMES,
    Booking,
    BookingStatus,
    Breach,
    BreachStatus,
    DeadlineDecision,
    DeadlineOutcome,
)
from workshops.rules import BLOCKING_BREACH, day_text, final_decision, parts_needed
from workshops.services.access import officer_check

if TYPE_CHECKING:
    from participants.models import Participant


def _refuse_ended(man: Participant) -> None:
    final = final_decision(man)
    if final is not None:
        raise ConflictError(
            f"{final.get_outcome_display()} was already decided for {man.pseudonym}."
        )
    decided = Breach.objects.filter(BLOCKING_BREACH, participant=man).exclude(
        status=BreachStatus.OPEN
    )
    if decided.exists():
        raise ConflictError(
            f"A breach of {man.pseudonym} was decided for prosecution or no further action."
        )


def deadline_extend(
    *,
    participant: Participant,
    until: datetime.date,
    reason: str,
    by: User,
    breach: Breach | None = None,
    at: datetime.datetime | None = None,
) -> DeadlineDecision:
    """Extend a man's workshop deadline (within his trial's legal limit), keeping the reason."""
    officer_check(by, participant)
    if breach is not None and breach.participant_id != participant.pk:
        raise DomainError("That breach is another man's.")
    with transaction.atomic():
        man = participant_locked(pk=participant.pk)  # the lock order: the man first
        _refuse_ended(man)
        if breach is not None:
            breach = Breach.objects.select_for_update(of=("self",)).get(pk=breach.pk)
            if breach.status != BreachStatus.OPEN:
                raise ConflictError("This breach is no longer open: reload the page.")
        previous = man.workshop_deadline
        man = workshop_deadline_extend(participant=man, until=until, reason=reason, by=by)
        assert previous is not None  # the participants service refuses a man without one
        decision = DeadlineDecision.objects.create(
            participant=man,
            breach=breach,
            outcome=DeadlineOutcome.EXTENDED,
            previous_deadline=previous,
            new_deadline=until,
            note=reason.strip(),
            decided_at=at or timezone.now(),
            decided_by=by,
        )
        audit_record(
            actor=by,
            action="deadline.extend",
            obj=decision,
            participant=man.pseudonym,
            breach=breach.pk if breach else None,
            until=until.isoformat(),
        )
    return decision


def deadline_decide(
    *,
    participant: Participant,
    outcome: str,
    note: str,
    by: User,
    at: datetime.datetime | None = None,
) -> DeadlineDecision:
    """Decide prosecution or no further action for a man whose deadline passed unfinished."""
    at = at or timezone.now()
    if outcome not in FINAL_DEADLINE_OUTCOMES:
        raise DomainError("Choose prosecution or no further action.", field="outcome")
    officer_check(by, participant)
    with transaction.atomic():
        man = participant_locked(pk=participant.pk)
        _refuse_ended(man)
        deadline = man.workshop_deadline
        if deadline is None or deadline >= timezone.localtime(at).date():
            raise NotAllowedError(
                f"{man.pseudonym}'s deadline has not passed"
                + (f" (it is {day_text(deadline)})." if deadline else ".")
            )
        if not parts_needed(man):
            raise ConflictError(f"{man.pseudonym} attended both workshops.")
        if Breach.objects.filter(participant=man, status=BreachStatus.OPEN).exists():
            raise NotAllowedError(
                f"{man.pseudonym} has an open breach: decide it on the breach page."
            )
        if Booking.objects.filter(participant=man, status=BookingStatus.BOOKED).exists():
            # Past-deadline lists leave out men with a live place (schedule.unfinished): his
            # attendance decides whether he finished, so the counsellor records it first.
            raise NotAllowedError(
                f"{man.pseudonym} has a booked workshop: its attendance is recorded (or the "
                "booking cancelled) before a decision."
            )
        decision = DeadlineDecision.objects.create(
            participant=man,
            outcome=outcome,
            previous_deadline=deadline,
            note=note.strip(),
            decided_at=at,
            decided_by=by,
        )
        audit_record(
            actor=by,
            action="deadline.decide",
            obj=decision,
            participant=man.pseudonym,
            outcome=outcome,
        )
    return decision
