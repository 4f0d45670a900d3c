"""Writes after a session: attendance, the breach it may open, the officer's decision and e-mail.

What counts (docs/workshops.md): attended counts; left early counts only when the reason is
accepted; did not attend never counts. A miss without accepted reason opens a breach, and the
case officers of the man's police area are e-mailed through the outbox (services/notices.py).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from participants.selectors import participant_locked
from workshops.models import (
    Attendance,
    Booking,
    BookingStatus,
    Breach,
    BreachOutcome,
    BreachStatus,
)
from workshops.rules import day_text, session_name
from workshops.services.access import cycle_check, officer_check
from workshops.services.notices import breach_notice_queue
from workshops.services.scheduling import rebook_cycle, transition


def outcome_status(attendance: str, accepted: bool) -> str:
    """The booking status that recorded attendance gives (the table in docs/workshops.md)."""
    if attendance == Attendance.ATTENDED or (attendance == Attendance.LEFT_EARLY and accepted):
        return BookingStatus.ATTENDED
    return BookingStatus.EXCUSED if accepted else BookingStatus.MISSED


def attendance_check(attendance: str, reason: str, reason_accepted: bool) -> None:
    """Refuse attendance that is not one of the choices, or an accepted reason left blank."""
    if attendance not in Attendance.values:
        raise DomainError("Choose attended, did not attend or left early.", field="attendance")
    if attendance != Attendance.ATTENDED and reason_accepted and not reason:
        raise DomainError("Give the reason that was accepted.", field="attendance_reason")


def attendance_record(
    *,
    booking: Booking,
    attendance: str,
    by: User,
    reason: str = "",
    reason_accepted: bool = False,
    at: datetime.datetime | None = None,
) -> Booking:
    """Record whether a man attended a session; a miss without accepted reason opens a breach."""
    at = at or timezone.now()
    reason = reason.strip()
    attendance_check(attendance, reason, reason_accepted)
    with transaction.atomic():
        participant_locked(pk=booking.participant_id)  # the lock order: docs/workshops.md
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("session__cycle", "participant")
            .get(pk=booking.pk)
        )
        session = locked.session
        cycle_check(by, session.cycle)
        if locked.status != BookingStatus.BOOKED:
            raise ConflictError(
                f"{locked.participant.pseudonym}'s place in {session_name(session)} is already "
                f"{locked.get_status_display().lower()}."
            )
        if session.is_cancelled:
            raise NotAllowedError(f"{session_name(session)} was cancelled.")
        if session.starts_at > at:
            raise NotAllowedError(
                f"{session_name(session)} starts on {day_text(session.starts_at)}: record "
                "attendance once it has started."
            )
        accepted = attendance != Attendance.ATTENDED and reason_accepted
        transition(locked, outcome_status(attendance, accepted))
        locked.attendance = attendance
        locked.attendance_reason = reason
        locked.reason_accepted = accepted if attendance != Attendance.ATTENDED else None
        locked.attendance_recorded_at = at
        locked.attendance_recorded_by = by
        locked.needs_rebooking = locked.status == BookingStatus.EXCUSED
        locked.save()
        if locked.part == 1 and locked.status != BookingStatus.ATTENDED:
            part_2_cancel(locked)
        breach = None
        if locked.status == BookingStatus.MISSED:
            breach = Breach.objects.create(
                booking=locked, participant=locked.participant, opened_at=at
            )
            breach_notice_queue(breach=breach, by=by)
        audit_record(
            actor=by,
            action="booking.attendance",
            obj=locked,
            participant=locked.participant.pseudonym,
            cycle=session.cycle.number,
            part=locked.part,
            attendance=attendance,
            reason_accepted=locked.reason_accepted,
            breach=breach.pk if breach else None,
        )
    return locked


def part_2_cancel(missed: Booking) -> None:
    """Part 2 of the same cycle cannot follow a missed part 1: free his place."""
    rows = Booking.objects.filter(
        participant=missed.participant,
        session__cycle=missed.session.cycle,
        part=2,
        status=BookingStatus.BOOKED,
    ).select_related("participant", "session__cycle")
    for row in rows:
        transition(row, BookingStatus.CANCELLED)
        row.status_note = "Part 1 missed"
        row.save(update_fields=["status", "status_note"])


def breach_decide(
    *, breach: Breach, outcome: str, note: str, by: User, at: datetime.datetime | None = None
) -> Breach:
    """Record the case officer's decision on a breach; 'rebooked' puts him back in the queue."""
    if outcome not in BreachOutcome.values:
        raise DomainError("Choose rebook, prosecution or no further action.", field="outcome")
    with transaction.atomic():
        # The man, his booking, then the breach: the lock order of docs/workshops.md.
        participant_locked(pk=breach.participant_id)
        Booking.objects.select_for_update(of=("self",)).filter(pk=breach.booking_id).first()
        locked = (
            Breach.objects.select_for_update(of=("self",))
            .select_related("participant", "booking")
            .get(pk=breach.pk)
        )
        man = locked.participant
        officer_check(by, man)
        if locked.status == BreachStatus.WITHDRAWN:
            raise ConflictError(
                "This breach was withdrawn: the counsellor corrected the attendance behind it."
            )
        if locked.status != BreachStatus.OPEN:
            raise ConflictError(
                f"This breach was already decided: {locked.get_outcome_display().lower()}."
            )
        if outcome == BreachOutcome.REBOOKED and rebook_cycle(participant=man, at=at) is None:
            raise NotAllowedError(
                f"No cycle of his provider with places ends by {man.pseudonym}'s deadline "
                f"({day_text(man.workshop_deadline or timezone.localdate())}): extend the "
                "deadline, or choose prosecution or no further action.",
                field="outcome",
            )
        locked.status = BreachStatus.DECIDED
        locked.outcome = outcome
        locked.outcome_note = note.strip()
        locked.decided_at = at or timezone.now()
        locked.decided_by = by
        locked.save()
        if outcome == BreachOutcome.REBOOKED:
            Booking.objects.filter(pk=locked.booking_id).update(needs_rebooking=True)
        audit_record(
            actor=by,
            action="breach.decide",
            obj=locked,
            participant=locked.participant.pseudonym,
            outcome=outcome,
        )
    return locked
