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
from workshops.models import (
    RECORDED_STATUSES,
    Attendance,
    AttendanceCorrection,
    Booking,
    BookingStatus,
    Breach,
    BreachStatus,
)
from workshops.rules import day_text, session_name
from workshops.services.attendance import (
    area_officers_mail,
    attendance_check,
    breach_notice_queue,
    outcome_status,
    part_2_cancel,
)


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
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("session__cycle", "participant")
            .get(pk=booking.pk)
        )
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
        change = _breach_follow(locked, before, breach, at)
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
    booking: Booking, before: str, breach: Breach | None, at: datetime.datetime
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
        opened = breach.pk
        transaction.on_commit(lambda: breach_notice_queue(opened))
        return change
    if not missed and breach is not None and breach.status == BreachStatus.OPEN:
        breach.status, breach.withdrawn_at = BreachStatus.WITHDRAWN, at
        breach.save(update_fields=["status", "withdrawn_at"])
        withdrawn = breach.pk
        transaction.on_commit(lambda: _withdrawal_notice_queue(withdrawn))
        return "withdrawn"
    return ""


def _withdrawal_notice_queue(breach_id: int) -> None:
    from workshops.tasks import breach_withdrawal_notify_task  # tasks import this module

    breach_withdrawal_notify_task.delay(breach_id)


def breach_withdrawal_notify(*, breach_id: int) -> int:
    """Tell the officers who were e-mailed about a breach that it was withdrawn, once."""
    with transaction.atomic():
        breach = (
            Breach.objects.select_for_update(of=("self",))
            .select_related("participant__police_area", "booking__session__cycle")
            .get(pk=breach_id)
        )
        # Nobody to tell if the breach e-mail never went; nothing if it is no longer withdrawn.
        if (
            breach.status != BreachStatus.WITHDRAWN
            or breach.notified_at is None
            or breach.withdrawal_notified_at is not None
        ):
            return 0
        session = breach.booking.session
        pseudonym = breach.participant.pseudonym
        # Trial ID only, as in the breach e-mail.
        body = (
            f"The breach recorded for {pseudonym} at {session_name(session)} on "
            f"{day_text(session.starts_at)} has been withdrawn: the counsellor corrected the "
            f"attendance to {breach.booking.get_status_display().lower()}.\n\n"
            "No decision is needed.\n"
        )
        officers, sent = area_officers_mail(breach, f"Workshop breach withdrawn: {pseudonym}", body)
        breach.withdrawal_notified_at = timezone.now()
        breach.save(update_fields=["withdrawal_notified_at"])
        audit_record(
            actor=None,
            action="breach.withdrawal_notify",
            obj=breach,
            participant=pseudonym,
            officers=officers,
        )
    return sent
