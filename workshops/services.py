"""Writes: keyword-only, typed, one transaction each with its audit event.

The services live in modules by subject; this module gathers them for callers.
"""

from common.models import User
from common.services import audit_record
from workshops.attendance import attendance_record, breach_decide, breach_notify
from workshops.feedback import feedback_record
from workshops.ics import calendar_token_create, calendar_token_revoke
from workshops.models import BookingStatus, Session
from workshops.reminders import reminders_send_due
from workshops.scheduling import (
    CyclePlan,
    booking_create,
    booking_propose,
    cycle_create,
    cycle_run_create,
    session_cancel,
)

__all__ = [
    "CyclePlan",
    "attendance_record",
    "booking_create",
    "booking_propose",
    "breach_decide",
    "breach_notify",
    "calendar_token_create",
    "calendar_token_revoke",
    "cycle_create",
    "cycle_run_create",
    "feedback_record",
    "register_viewed",
    "reminders_send_due",
    "session_cancel",
]


def register_viewed(*, session: Session, by: User) -> None:
    """Record that a counsellor opened a session's register (names of the booked men)."""
    audit_record(
        actor=by,
        action="participant.view_register",
        obj=session,
        participants=list(
            session.bookings.exclude(status=BookingStatus.MOVED)
            .order_by("participant__number")
            .values_list("participant__pseudonym", flat=True)
        ),
    )
