"""The audit of a counsellor opening a session's register (the names of the booked men)."""

from __future__ import annotations

from common.models import User
from common.services import audit_record
from workshops.models import BookingStatus, Session


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
