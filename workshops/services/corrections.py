"""Correcting recorded attendance: the old record is kept, and the breach follows the new one.

A counsellor who recorded the wrong thing (the wrong man ticked absent, an accepted reason
forgotten) corrects it with a reason. The booking takes the status the corrected attendance
gives; a breach opens if he now missed without accepted reason, and an open breach is withdrawn
if he no longer did, with an e-mail to the officers who were told of it. A breach the officer
has already decided is not undone here: the decision (a prosecution, say) is theirs to revisit.
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
    RECORDED_STATUSES,
    Attendance,
    AttendanceCorrection,
    Booking,
    BookingStatus,
    Breach,
    BreachStatus,
)
from workshops.rules import session_name
from workshops.services.access import cycle_check
from workshops.services.attendance import attendance_check, outcome_status, part_2_cancel
from workshops.services.notices import breach_notice_queue, breach_withdrawal_queue


def attendance_correct(
    *,
    booking: Booking,
    attendance: str,
    why: str,
    by: User,
    reason: str = "",
    reason_accepted: bool = False,
    at: datetime.datetime | None = None,
) -> Booking:
    """Replace a booking's recorded attendance, keeping the old; open or withdraw its breach."""
    at = at or timezone.now()
    why, reason = why.strip(), reason.strip()
    attendance_check(attendance, reason, reason_accepted)
    if not why:
        raise DomainError("Say why the recorded attendance was wrong.", field="why")
    with transaction.atomic():
        participant_locked(pk=booking.participant_id)  # the lock order: docs/workshops.md
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("session__cycle", "participant")
            .get(pk=booking.pk)
        )
        cycle_check(by, locked.session.cycle)
        name = f"{locked.participant.pseudonym}'s attendance at {session_name(locked.session)}"
        if locked.status not in RECORDED_STATUSES:
            raise ConflictError(f"{name} has not been recorded: there is nothing to correct.")
        accepted = attendance != Attendance.ATTENDED and reason_accepted
        new = (attendance, reason, accepted if attendance != Attendance.ATTENDED else None)
        if new == (locked.attendance, locked.attendance_reason, locked.reason_accepted):
            raise DomainError(f"{name} is already recorded that way.", field="attendance")
        status = outcome_status(attendance, accepted)
        breach = Breach.objects.select_for_update().filter(booking=locked).first()
        if breach is not None and breach.status == BreachStatus.DECIDED and status != locked.status:
            raise NotAllowedError(
                f"The case officer has already decided the breach for {name} "
                f"({breach.get_outcome_display().lower()}, "
                f"{timezone.localtime(breach.decided_at):%d/%m/%Y}): a decided breach is not "
                "withdrawn here. Ask the officer to review the decision."
            )
        AttendanceCorrection.objects.create(
            booking=locked,
            corrected_at=at,
            corrected_by=by,
            from_status=locked.status,
            from_attendance=locked.attendance,
            from_reason=locked.attendance_reason,
            from_reason_accepted=locked.reason_accepted,
            to_status=status,
            to_attendance=attendance,
            why=why,
        )
        before = locked.status
        locked.status = status
        locked.attendance, locked.attendance_reason, locked.reason_accepted = new
        if status != before:
            # As when recorded: an excused miss is flagged for rebooking. A correction of the
            # reason alone keeps the flag as it is (an officer's "rebook", a booking since).
            locked.needs_rebooking = status == BookingStatus.EXCUSED
        locked.save()
        if locked.part == 1 and status != BookingStatus.ATTENDED:
            part_2_cancel(locked)
        change = _breach_follow(locked, before, breach, at, by)
        audit_record(
            actor=by,
            action="booking.attendance_correct",
            obj=locked,
            participant=locked.participant.pseudonym,
            cycle=locked.session.cycle.number,
            part=locked.part,
            from_status=before,
            to_status=status,
            breach=change,
        )
    return locked


def _breach_follow(
    booking: Booking, before: str, breach: Breach | None, at: datetime.datetime, by: User
) -> str:
    """Open, reopen or withdraw the booking's breach to match its new status; say which."""
    missed = booking.status == BookingStatus.MISSED
    if missed and before != BookingStatus.MISSED:
        if breach is None:
            breach = Breach.objects.create(
                booking=booking, participant=booking.participant, opened_at=at
            )
            change = "opened"
        else:  # withdrawn by an earlier correction that was itself wrong
            breach.status, breach.withdrawn_at, breach.opened_at = BreachStatus.OPEN, None, at
            breach.notified_at = breach.withdrawal_notified_at = None
            breach.save()
            change = "reopened"
        breach_notice_queue(breach=breach, by=by)
        return change
    if not missed and breach is not None and breach.status == BreachStatus.OPEN:
        breach.status, breach.withdrawn_at = BreachStatus.WITHDRAWN, at
        breach.save(update_fields=["status", "withdrawn_at"])
        breach_withdrawal_queue(breach=breach, by=by)
        return "withdrawn"
    return ""
