"""Erasing the free text of a closed trial's workshops (reasons, notes, comments).

What happened stays (bookings, attendance, breaches and their outcomes): the analysis and the
compliance figures need it; what people wrote about the men and their partners goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from common.models import User
from common.services import audit_record
from workshops.models import AttendanceCorrection, Booking, Breach, Feedback

if TYPE_CHECKING:
    from trial.models import Trial


@transaction.atomic
def trial_workshop_notes_erase(*, trial: Trial, by: User | None) -> dict[str, int]:
    """Blank every free-text note about the trial's men; return counts by kind."""
    of_trial = {"participant__trial": trial}
    counts = {
        "booking_notes": Booking.objects.filter(**of_trial).update(
            attendance_reason="", status_note=""
        ),
        "breach_notes": Breach.objects.filter(**of_trial).update(outcome_note=""),
        "correction_notes": AttendanceCorrection.objects.filter(
            booking__participant__trial=trial
        ).update(from_reason="", why=""),
        "feedback_comments": Feedback.objects.filter(**of_trial).update(comments=""),
    }
    audit_record(actor=by, action="workshops.erase", obj=trial, trial=trial.code, erased=counts)
    return counts
