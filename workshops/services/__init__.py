"""Writes of the workshops app: cycles, bookings, cancellations, attendance, breaches, feedback.

The public surface of workshops' writes: views, tasks, other apps and the demo import from here
only. Each service is keyword-only and typed, runs in one transaction with its audit event, and
takes its locks in one order: the man's participant row, then sessions, then bookings and
breaches (docs/workshops.md).
"""

from workshops.services.attendance import attendance_record, breach_decide
from workshops.services.calendar_tokens import calendar_token_create, calendar_token_revoke
from workshops.services.corrections import attendance_correct
from workshops.services.deadlines import deadline_decide, deadline_extend
from workshops.services.deliveries import delivery_set
from workshops.services.erasure import trial_workshop_notes_erase
from workshops.services.feedback import feedback_record
from workshops.services.looks import register_viewed
from workshops.services.notices import notices_register
from workshops.services.reminders import reminders_send_due
from workshops.services.scheduling import (
    CancelResult,
    CyclePlan,
    booking_create,
    booking_propose,
    cycle_create,
    cycle_run_create,
    rebook_cycle,
    session_cancel,
)

__all__ = [
    "CancelResult",
    "CyclePlan",
    "attendance_correct",
    "attendance_record",
    "booking_create",
    "booking_propose",
    "breach_decide",
    "calendar_token_create",
    "calendar_token_revoke",
    "cycle_create",
    "cycle_run_create",
    "deadline_decide",
    "deadline_extend",
    "delivery_set",
    "feedback_record",
    "notices_register",
    "rebook_cycle",
    "register_viewed",
    "reminders_send_due",
    "session_cancel",
    "trial_workshop_notes_erase",
]
