"""What the case officer sees of a man's workshops on his case page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from participants.selectors import case_get, deadline_state
from workshops.models import Booking, Breach, DeadlineDecision

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from common.models import User
    from participants.models import Participant


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
