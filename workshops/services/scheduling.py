"""Writes that shape the schedule: cycles (one or a run), bookings and their proposal, cancellation.

Every refusal is a DomainError with a message a counsellor can act on. Bookings lock the man's
row and the session rows they take places in, so two counsellors racing for the last place (or
two tabs booking one man) are served one after the other and the second is refused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.memberships import holds, membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from participants.selectors import participant_for_booking, participant_locked
from trial.selectors import trial_locked
from workshops.models import (
    BOOKING_TRANSITIONS,
    Booking,
    BookingStatus,
    Cycle,
    Session,
)
from workshops.rules import (
    check_participant,
    check_sessions,
    check_space,
    parts_needed,
    session_name,
)
from workshops.selectors.scope import provider_of
from workshops.services.access import cycle_check, man_check

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial

MAX_RUN = 26  # two years of five-weekly cycles


def transition(booking: Booking, to_status: str) -> None:
    """Move a booking to a new status if the transition table allows it."""
    BOOKING_TRANSITIONS.check(
        booking.status,
        to_status,
        lambda: ConflictError(
            f"{booking.participant.pseudonym}'s place in {session_name(booking.session)} is "
            f"{booking.get_status_display().lower()}: it cannot become "
            f"{BookingStatus(to_status).label.lower()}."
        ),
    )
    booking.status = to_status


@dataclass(frozen=True)
class CyclePlan:
    """What a counsellor fills in for a cycle; None takes the trial's default."""

    part_1_starts_at: datetime.datetime
    venue: str
    leads: list[User]
    gap_days: int | None = None
    hours: Decimal | None = None
    capacity: int | None = None


def _check_plan(trial: Trial, plan: CyclePlan, by: User) -> tuple[int, Decimal, int]:
    membership_check(by, trial, Role.COUNSELLOR)
    if by.provider is None:
        raise NotAllowedError(
            "Your account belongs to no workshop provider: ask a trial manager to set it."
        )
    if timezone.is_naive(plan.part_1_starts_at):
        raise DomainError("Give the start time with its time zone.", field="part_1_starts_at")
    gap = trial.workshop_gap_days if plan.gap_days is None else plan.gap_days
    if not trial.workshop_gap_min_days <= gap <= trial.workshop_gap_max_days:
        raise DomainError(
            f"Part 2 must be {trial.workshop_gap_min_days} to {trial.workshop_gap_max_days} days "
            f"after part 1 in trial {trial.code} (usually {trial.workshop_gap_days}).",
            field="gap_days",
        )
    hours = trial.session_hours if plan.hours is None else plan.hours
    if not Decimal("0.5") <= hours <= 12:
        raise DomainError("A session lasts between half an hour and 12 hours.", field="hours")
    capacity = trial.session_capacity if plan.capacity is None else plan.capacity
    if not 1 <= capacity <= 50:
        raise DomainError("A session has between 1 and 50 places.", field="capacity")
    if not plan.venue.strip():
        raise DomainError("Give the venue.", field="venue")
    if not plan.leads:
        raise DomainError("Name at least one lead counsellor.", field="leads")
    for lead in plan.leads:
        # A lead runs the sessions for the cycle's provider, in this trial.
        if not holds(lead, Role.COUNSELLOR, trial) or lead.provider_id != by.provider_id:
            raise DomainError(
                f"{lead.get_full_name()} is not a counsellor of {by.provider} in {trial.code}.",
                field="leads",
            )
    return gap, hours, capacity


def _refuse_same_room_same_time(
    trial: Trial, venue: str, starts: list[datetime.datetime], by: User
) -> None:
    """Refuse a session where the provider already runs one (a resubmitted form, two tabs)."""
    taken = (
        Session.objects.filter(
            cycle__trial=trial,
            cycle__provider=by.provider,
            venue__iexact=venue,
            starts_at__in=starts,
            cancelled_at__isnull=True,
        )
        .select_related("cycle")
        .first()
    )
    if taken is not None:
        raise ConflictError(
            f"{session_name(taken)} already starts at {venue} on "
            f"{timezone.localtime(taken.starts_at):%d/%m/%Y %H:%M}.",
            field="part_1_starts_at",
        )


def _create_cycle(trial: Trial, plan: CyclePlan, by: User) -> Cycle:
    """Create a cycle's two sessions (the caller holds the trial's row lock)."""
    gap, hours, capacity = _check_plan(trial, plan, by)
    assert by.provider is not None  # _check_plan refuses a counsellor without a provider
    # Local wall-clock arithmetic: part 2 keeps part 1's time of day across a clock change.
    part_1 = timezone.localtime(plan.part_1_starts_at)
    starts = [part_1, part_1 + datetime.timedelta(days=gap)]
    venue = plan.venue.strip()
    _refuse_same_room_same_time(trial, venue, starts, by)
    number = (Cycle.objects.filter(trial=trial).aggregate(n=Max("number"))["n"] or 0) + 1
    cycle = Cycle.objects.create(trial=trial, provider=by.provider, number=number, created_by=by)
    length = datetime.timedelta(hours=float(hours))
    for part, start in zip((1, 2), starts, strict=True):
        session = Session.objects.create(
            cycle=cycle,
            part=part,
            starts_at=start,
            ends_at=start + length,
            venue=venue,
            capacity=capacity,
        )
        session.leads.set(plan.leads)
    return cycle


def cycle_create(*, trial: Trial, plan: CyclePlan, by: User) -> Cycle:
    """Create one cycle: part 1 and part 2 a gap apart inside the trial's window."""
    with transaction.atomic():
        locked = trial_locked(pk=trial.pk)  # numbers cycles one at a time
        cycle = _create_cycle(locked, plan, by)
        audit_record(
            actor=by, action="cycle.create", obj=cycle, trial=trial.code, number=cycle.number
        )
    return cycle


def cycle_run_create(
    *, trial: Trial, plan: CyclePlan, count: int, interval_days: int | None = None, by: User
) -> list[Cycle]:
    """Create a run of cycles starting every interval (default the trial's) in one step."""
    interval = trial.cycle_interval_days if interval_days is None else interval_days
    if not 1 <= count <= MAX_RUN:
        raise DomainError(f"Create between 1 and {MAX_RUN} cycles at once.", field="count")
    if not 7 <= interval <= 180:
        raise DomainError("Cycles start between 7 and 180 days apart.", field="interval_days")
    if timezone.is_naive(plan.part_1_starts_at):
        raise DomainError("Give the start time with its time zone.", field="part_1_starts_at")
    first = timezone.localtime(plan.part_1_starts_at)
    with transaction.atomic():
        locked = trial_locked(pk=trial.pk)
        cycles = []
        for index in range(count):
            starts = first + datetime.timedelta(days=index * interval)
            step = CyclePlan(
                part_1_starts_at=starts,
                venue=plan.venue,
                leads=plan.leads,
                gap_days=plan.gap_days,
                hours=plan.hours,
                capacity=plan.capacity,
            )
            cycles.append(_create_cycle(locked, step, by))
        audit_record(
            actor=by,
            action="cycle.create_run",
            obj=cycles[0],
            trial=trial.code,
            numbers=[c.number for c in cycles],
            interval_days=interval,
        )
    return cycles


def _sessions_for(cycle: Cycle, parts: tuple[int, ...], *, lock: bool) -> list[Session]:
    sessions = Session.objects.filter(cycle=cycle, part__in=parts).select_related("cycle")
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    return list(sessions.order_by("part"))


def _check_fit(man: Participant, sessions: list[Session], at: datetime.datetime) -> None:
    """Refuse sessions that break his trial's rules (gap, deadline, clash) or have no space."""
    trial = man.trial
    check_sessions(
        man,
        sessions,
        gap_min=trial.workshop_gap_min_days,
        gap_max=trial.workshop_gap_max_days,
        at=at,
    )
    for session in sessions:
        check_space(session)


def _lock_participant(participant: Participant) -> Participant:
    return participant_locked(pk=participant.pk)


def _book(
    man: Participant,
    cycle: Cycle,
    parts: tuple[int, ...] | None,
    by: User | None,
    at: datetime.datetime,
) -> list[Booking]:
    """Check and take places (the man's row is locked by the caller)."""
    check_participant(man, at)
    needed = parts_needed(man) if parts is None else parts
    if not needed:
        raise ConflictError(f"{man.pseudonym} has attended both workshops already.")
    if cycle.trial_id != man.trial_id:
        raise DomainError(f"Cycle {cycle.number} belongs to another trial.", field="cycle")
    sessions = _sessions_for(cycle, needed, lock=True)
    _check_fit(man, sessions, at)
    bookings = [
        Booking.objects.create(participant=man, session=s, part=s.part, booked_at=at, booked_by=by)
        for s in sessions
    ]
    # The flag asked for exactly this: a new place answers it.
    Booking.objects.filter(participant=man, needs_rebooking=True).update(needs_rebooking=False)
    return bookings


def booking_create(
    *,
    participant: Participant,
    cycle: Cycle,
    by: User | None,
    parts: tuple[int, ...] | None = None,
    at: datetime.datetime | None = None,
) -> list[Booking]:
    """Book a man into the parts he still needs (or the given parts) of a cycle."""
    at = at or timezone.now()
    man_check(by, participant)
    cycle_check(by, cycle)
    with transaction.atomic():
        man = _lock_participant(participant)
        bookings = _book(man, cycle, parts, by, at)
        audit_record(
            actor=by,
            action="booking.create",
            obj=man,
            participant=man.pseudonym,
            cycle=cycle.number,
            parts=[b.part for b in bookings],
        )
    return bookings


def booking_propose(
    *, participant: Participant, by: User | None = None, at: datetime.datetime | None = None
) -> Cycle | None:
    """Return the earliest cycle with space he can be booked into before his deadline.

    Only the acting counsellor's provider's cycles are proposed; without `by` (a command: the
    demo's loader) any provider's.
    """
    at = at or timezone.now()
    man_check(by, participant)
    man = participant_for_booking(pk=participant.pk)
    try:
        check_participant(man, at)
    except DomainError:
        return None
    needed = parts_needed(man)
    if not needed:
        return None
    provider_id = None
    if by is not None and by.provider_id is not None and not by.is_superuser:
        provider_id = by.provider_id  # man_check wants a provider
    return earliest_cycle(man, needed, at, provider_id=provider_id)


def earliest_cycle(
    man: Participant, needed: tuple[int, ...], at: datetime.datetime, *, provider_id: int | None
) -> Cycle | None:
    """Return the earliest cycle (of a provider if given) he fits into before his deadline."""
    candidates = (
        Cycle.objects.filter(
            trial=man.trial,
            sessions__part=needed[0],
            sessions__ends_at__gt=at,
            sessions__cancelled_at__isnull=True,
        )
        .order_by("sessions__starts_at")
        .distinct()
    )
    if provider_id is not None:
        candidates = candidates.filter(provider_id=provider_id)
    if man.workshop_deadline is not None:
        candidates = candidates.filter(sessions__starts_at__date__lte=man.workshop_deadline)
    for cycle in candidates[:60]:
        try:
            _check_fit(man, _sessions_for(cycle, needed, lock=False), at)
        except DomainError:
            continue
        return cycle
    return None


def rebook_cycle(*, participant: Participant, at: datetime.datetime | None = None) -> Cycle | None:
    """Return a cycle of his provider with places that he could finish by his deadline.

    What the officer's "Rebook" needs (his open breach aside): the parts he still needs, or both
    again when his part 1 is too long ago for a part 2 alone.
    """
    at = at or timezone.now()
    man = participant_for_booking(pk=participant.pk)
    deadline = man.workshop_deadline
    if deadline is None or deadline < timezone.localtime(at).date():
        return None
    needed = parts_needed(man)
    if not needed:
        return None
    provider_id = provider_of(man)
    found = earliest_cycle(man, needed, at, provider_id=provider_id)
    if found is None and needed == (2,):
        found = earliest_cycle(man, (1, 2), at, provider_id=provider_id)
    return found


@dataclass
class CancelResult:
    moved: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)


def session_cancel(
    *,
    session: Session,
    reason: str,
    by: User,
    move_to: Cycle | None = None,
    at: datetime.datetime | None = None,
) -> CancelResult:
    """Cancel a session; its men are moved to another cycle where they fit, else flagged."""
    at = at or timezone.now()
    cycle_check(by, session.cycle)
    if move_to is not None:
        cycle_check(by, move_to)
    if not reason.strip():
        raise DomainError("Give the reason for the cancellation.", field="reason")
    for _ in range(CANCEL_TRIES):
        try:
            with transaction.atomic():  # a savepoint when called inside a transaction
                return _session_cancel(session, reason, by, move_to, at)
        except _PlacesChangedError:
            continue  # a man was booked in between: lock the men again
    raise ConflictError(
        f"Places in {session_name(session)} kept changing while it was being cancelled: try again."
    )


CANCEL_TRIES = 3


class _PlacesChangedError(Exception):
    """A man was booked into the session after his row was left unlocked."""


def _session_cancel(
    session: Session, reason: str, by: User, move_to: Cycle | None, at: datetime.datetime
) -> CancelResult:
    # The lock order (docs/workshops.md): the men booked in it first, in id order, then the
    # session, then their bookings. booking_create takes the man and then the sessions, so the
    # two cannot wait for each other.
    booked = Booking.objects.filter(session_id=session.pk, status=BookingStatus.BOOKED)
    men = {
        pk: participant_locked(pk=pk)
        for pk in sorted(set(booked.values_list("participant_id", flat=True)))
    }
    result = CancelResult()
    locked = Session.objects.select_for_update().select_related("cycle").get(pk=session.pk)
    if locked.is_cancelled:
        raise ConflictError(f"{session_name(locked)} is already cancelled.")
    if locked.starts_at <= at:
        raise NotAllowedError(f"{session_name(locked)} has already started: record attendance.")
    if move_to is not None and move_to.pk == locked.cycle_id:
        raise DomainError("Choose another cycle to move the men to.", field="move_to")
    locked.cancelled_at, locked.cancel_reason, locked.cancelled_by = at, reason.strip(), by
    locked.save(update_fields=["cancelled_at", "cancel_reason", "cancelled_by"])
    affected = Booking.objects.filter(session=locked, status=BookingStatus.BOOKED)
    affected = affected.select_related("participant", "session__cycle")
    if {booking.participant_id for booking in affected} - set(men):
        raise _PlacesChangedError
    for booking in affected:
        man = men[booking.participant_id]
        old = [booking]
        if locked.part == 1:  # without part 1 his part 2 of this cycle cannot happen
            old += list(
                Booking.objects.filter(
                    participant=man,
                    session__cycle=locked.cycle,
                    part=2,
                    status=BookingStatus.BOOKED,
                ).select_related("session__cycle", "participant")
            )
        for row in old:
            transition(row, BookingStatus.CANCELLED)
            row.needs_rebooking = True
            row.status_note = f"Session cancelled: {reason.strip()}"[:200]
            row.save(update_fields=["status", "needs_rebooking", "status_note"])
        if move_to is not None and _move(man, old, move_to, by, at):
            result.moved.append(man.pseudonym)
        else:
            result.flagged.append(man.pseudonym)
    audit_record(
        actor=by,
        action="session.cancel",
        obj=locked,
        cycle=locked.cycle.number,
        part=locked.part,
        moved=result.moved,
        flagged=result.flagged,
        participants=result.moved + result.flagged,  # found under each man on the audit page
    )
    return result


def _move(
    man: Participant, old: list[Booking], cycle: Cycle, by: User, at: datetime.datetime
) -> bool:
    """Try to book him into the cycle; on success the cancelled places point to the new ones."""
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves him flagged, nothing else
            new = {b.part: b for b in _book(man, cycle, None, by, at)}
            for row in old:
                if row.part in new:
                    transition(row, BookingStatus.MOVED)
                    row.moved_to = new[row.part]
                    row.needs_rebooking = False
                    row.save(update_fields=["status", "moved_to", "needs_rebooking"])
    except DomainError:
        return False
    return True
