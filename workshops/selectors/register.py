"""What the registers hold, for the demo's loader and the reports: system reads, no one's view."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from workshops.models import (
    AttendanceCorrection,
    Booking,
    BookingStatus,
    Breach,
    Cycle,
    FeedbackAnswer,
)

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial


def live_bookings(
    *, participant: Participant, started_by: datetime.datetime | None = None
) -> QuerySet[Booking]:
    """Return a man's booked places, earliest first, of sessions started by a time if given."""
    rows = (
        Booking.objects.filter(participant=participant, status=BookingStatus.BOOKED)
        .select_related("session")
        .order_by("session__starts_at")
    )
    return rows if started_by is None else rows.filter(session__starts_at__lte=started_by)


def attended_part_2(*, participant: Participant) -> bool:
    """Say whether the man's register shows part 2 attended."""
    return Booking.objects.filter(
        participant=participant, part=2, status=BookingStatus.ATTENDED
    ).exists()


def breach_of(*, booking: Booking) -> Breach:
    """Return the breach a missed booking opened."""
    return Breach.objects.get(booking=booking)


def corrections_recorded(*, trial: Trial) -> bool:
    """Say whether any attendance of the trial has been corrected."""
    return AttendanceCorrection.objects.filter(booking__session__cycle__trial=trial).exists()


def trial_workshop_counts(*, trial: Trial) -> tuple[int, int]:
    """Return the trial's number of cycles and of breaches."""
    return (
        Cycle.objects.filter(trial=trial).count(),
        Breach.objects.filter(participant__trial=trial).count(),
    )


def feedback_answers(*, trial: Trial, recorded_by: datetime.date) -> QuerySet[Any]:
    """Return (item, participant number, answer) of every answer recorded by a day."""
    return FeedbackAnswer.objects.filter(
        feedback__participant__trial=trial, feedback__recorded_at__date__lte=recorded_by
    ).values_list("item", "feedback__participant__number", "answer")
