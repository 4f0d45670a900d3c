"""What the case officer sees of a man's workshops on his case page, and the deadline flags."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from participants.selectors import case_get
from workshops.models import Booking, Breach, DeadlineDecision

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from common.models import User
    from participants.models import Participant

DUE_SOON_DAYS = 14


def deadline_state(day: datetime.date | None, today: datetime.date | None = None) -> str:
    """Say "overdue", "due soon" (within 14 days) or "" for a workshop deadline."""
    if day is None:
        return ""
    today = today or timezone.localdate()
    if day < today:
        return "overdue"
    return "due soon" if (day - today).days <= DUE_SOON_DAYS else ""


def deadline_q(state: str, today: datetime.date | None = None, prefix: str = "") -> Q:
    """Return the filter on Participant for "overdue" or "due soon" (for the officer's lists)."""
    today = today or timezone.localdate()
    name = f"{prefix}workshop_deadline"
    if state == "overdue":
        return Q(**{f"{name}__lt": today})
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return Q(**{f"{name}__gte": today, f"{name}__lte": soon})


@dataclass(frozen=True)
class CaseWorkshops:
    man: Participant
    bookings: list[Booking] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    decisions: list[DeadlineDecision] = field(default_factory=list)

    @property
    def in_workshops(self) -> bool:
        allocation = self.man.allocation
        return allocation is not None and allocation.arm.is_intervention

    @property
    def flag(self) -> str:
        done = {b.part for b in self.bookings if b.counts_as_attended} >= {1, 2}
        return "" if done else deadline_state(self.man.workshop_deadline)


def case_workshops(*, user: User | AnonymousUser, pk: int) -> CaseWorkshops:
    """Return a case's bookings, attendance with corrections, breaches and decisions.

    Scoped like the case itself: another area's or trial's case raises Http404.
    """
    man = case_get(user=user, pk=pk)
    bookings = (
        Booking.objects.filter(participant=man)
        .select_related("session__cycle__provider", "breach", "attendance_recorded_by")
        .prefetch_related("corrections__corrected_by")
        .order_by("session__starts_at", "id")
    )
    breaches = Breach.objects.filter(participant=man).select_related(
        "booking__session__cycle", "decided_by"
    )
    decisions = DeadlineDecision.objects.filter(participant=man).select_related("decided_by")
    return CaseWorkshops(
        man=man,
        bookings=list(bookings),
        breaches=list(breaches.order_by("opened_at", "id")),
        decisions=list(decisions),
    )
