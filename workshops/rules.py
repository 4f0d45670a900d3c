"""Scheduling rules shared by booking, proposals and cancellations: each refusal says why."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from common.exceptions import DomainError, NotAllowedError
from participants.selectors import CaseStatus
from workshops.models import (
    FINAL_DEADLINE_OUTCOMES,
    RECORDED_STATUSES,
    Booking,
    BookingStatus,
    Breach,
    BreachOutcome,
    BreachStatus,
    DeadlineDecision,
    Session,
)

if TYPE_CHECKING:
    from participants.models import Participant

# Breaches that take a man out of the workshops until (or for good after) the officer decides.
BLOCKING_BREACH = Q(status=BreachStatus.OPEN) | Q(
    outcome__in=[BreachOutcome.PROSECUTION, BreachOutcome.NO_FURTHER_ACTION]
)


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def day_text(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        moment = local_day(moment)
    return f"{moment:%a %d/%m/%Y}"


def session_name(session: Session) -> str:
    return f"{session.get_part_display()} of cycle {session.cycle.number}"


def attended_part_1(participant: Participant) -> Booking | None:
    """Return his latest part 1 that counts as attended, if any."""
    return (
        Booking.objects.filter(participant=participant, part=1, status=BookingStatus.ATTENDED)
        .select_related("session")
        .order_by("-session__starts_at")
        .first()
    )


def parts_needed(participant: Participant) -> tuple[int, ...]:
    """Return the parts he still has to attend: both, part 2 only, or none."""
    attended = set(
        Booking.objects.filter(participant=participant, status=BookingStatus.ATTENDED).values_list(
            "part", flat=True
        )
    )
    if {1, 2} <= attended:
        return ()
    return (2,) if 1 in attended else (1, 2)


def final_decision(participant: Participant) -> DeadlineDecision | None:
    """Return the officer's prosecution or no-further-action after his deadline, if any."""
    return DeadlineDecision.objects.filter(
        participant=participant, outcome__in=FINAL_DEADLINE_OUTCOMES
    ).first()


def check_participant(participant: Participant, at: datetime.datetime) -> None:
    """Refuse a man who is not (or no longer) to be booked into workshops."""
    arm = participant.allocation.arm if participant.allocation_id else None  # type: ignore[union-attr]
    if participant.status != CaseStatus.ENROLLED or arm is None:
        raise NotAllowedError(f"{participant.pseudonym} is not enrolled in the trial.")
    if not arm.is_intervention:
        raise NotAllowedError(
            f"{participant.pseudonym} is in the {arm.name} arm: only men in the workshop arm "
            "are booked into workshops."
        )
    breach = Breach.objects.filter(BLOCKING_BREACH, participant=participant).first()
    if breach is not None and breach.status == BreachStatus.OPEN:
        raise NotAllowedError(
            f"{participant.pseudonym} has a breach awaiting the case officer's decision: "
            "he can be rebooked once the officer decides to rebook."
        )
    if breach is not None:
        raise NotAllowedError(
            f"The case officer decided {breach.get_outcome_display().lower()} after "
            f"{participant.pseudonym}'s breach: he is not booked again."
        )
    final = final_decision(participant)
    if final is not None:
        raise NotAllowedError(
            f"After {participant.pseudonym}'s deadline passed the case officer decided: "
            f"{final.get_outcome_display().lower()}. He is not booked again."
        )
    deadline = participant.workshop_deadline
    if deadline is not None and local_day(at) > deadline:
        raise NotAllowedError(
            f"{participant.pseudonym}'s deadline ({day_text(deadline)}) has passed: his case "
            "officer decides whether to extend it.",
            field="cycle",
            code="deadline_passed",
        )


def check_sessions(
    participant: Participant,
    sessions: Sequence[Session],
    *,
    gap_min: int,
    gap_max: int,
    at: datetime.datetime,
) -> None:
    """Refuse sessions he cannot be booked into (cancelled, past, out of window, late, clashing)."""
    for session in sessions:
        if session.is_cancelled:
            raise NotAllowedError(f"{session_name(session)} is cancelled.", field="cycle")
    first = sessions[0]
    if first.ends_at <= at:
        raise NotAllowedError(
            f"{session_name(first)} has already taken place ({day_text(first.starts_at)}).",
            field="cycle",
        )
    part_2 = next((s for s in sessions if s.part == 2), None)
    part_1_at = next((s.starts_at for s in sessions if s.part == 1), None)
    if part_1_at is None and part_2 is not None:
        earlier = attended_part_1(participant)
        part_1_at = earlier.session.starts_at if earlier is not None else None
    if part_2 is not None and part_1_at is not None:
        gap = (local_day(part_2.starts_at) - local_day(part_1_at)).days
        if gap <= 0:
            raise NotAllowedError(
                f"{session_name(part_2)} ({day_text(part_2.starts_at)}) is not after his part 1 "
                f"({day_text(part_1_at)}).",
                field="cycle",
            )
        if not gap_min <= gap <= gap_max:
            raise NotAllowedError(
                f"{session_name(part_2)} is {gap} days after his part 1 "
                f"({day_text(part_1_at)}); it must be {gap_min} to {gap_max} days after. "
                "Book both parts of a cycle instead.",
                field="cycle",
            )
    deadline = participant.workshop_deadline
    last = sessions[-1]
    if deadline is not None and local_day(last.ends_at) > deadline:
        raise NotAllowedError(
            f"{session_name(last)} ends on {day_text(last.ends_at)}, after "
            f"{participant.pseudonym}'s deadline ({day_text(deadline)}).",
            field="cycle",
        )
    check_clash(participant, sessions)


def check_clash(participant: Participant, sessions: Sequence[Session]) -> None:
    """Refuse a second live place in the same part, or one that overlaps another booking."""
    live = Booking.objects.filter(participant=participant, status=BookingStatus.BOOKED)
    for booking in live.select_related("session__cycle"):
        for session in sessions:
            overlaps = booking.session.starts_at < session.ends_at and (
                session.starts_at < booking.session.ends_at
            )
            if booking.part == session.part or overlaps:
                raise NotAllowedError(
                    f"{participant.pseudonym} already has a place in "
                    f"{session_name(booking.session)} ({day_text(booking.session.starts_at)}): "
                    "record or cancel it first.",
                    field="cycle",
                )


def check_space(session: Session) -> None:
    """Refuse a full session (call with the session row locked)."""
    taken = session.bookings.filter(status__in=[BookingStatus.BOOKED, *RECORDED_STATUSES]).count()
    if taken >= session.capacity:
        raise DomainError(
            f"{session_name(session)} is full ({taken} of {session.capacity} places).",
            field="cycle",
        )
