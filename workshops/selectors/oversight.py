"""Counts of workshop attendance per trial and police force for the oversight pages.

One GROUP BY per figure over the bookings of the trials where the user is national coordinator
or trial manager; rows carry `trial_pk`, `force_pk` and counts only, never a man.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from common.memberships import trial_q
from common.models import User
from common.roles import Role
from workshops.models import Booking, BookingStatus

__all__ = ["attendance_by_force", "attendance_timeliness_by_force"]

AnyUser = User | AnonymousUser
Row = Mapping[str, Any]  # a GROUP BY row: trial_pk / force_pk and counts
OVERSIGHT_ROLES = (Role.NATIONAL_COORDINATOR, Role.TRIAL_MANAGER)
BY_FORCE = {
    "trial_pk": F("participant__trial_id"),
    "force_pk": F("participant__police_area__force_id"),
}
# Bookings that never expect a register entry: the place was given up or moved elsewhere.
NO_REGISTER = [BookingStatus.CANCELLED, BookingStatus.MOVED]


def _bookings(user: AnyUser, trial_ids: Iterable[int]) -> QuerySet[Booking]:
    scoped = Booking.objects.filter(trial_q(user, *OVERSIGHT_ROLES, field="participant__trial"))
    return scoped.filter(participant__trial_id__in=list(trial_ids)).order_by()


def attendance_by_force(*, user: AnyUser, trial_ids: Iterable[int]) -> list[Row]:
    """Return, per trial and force, the men who attended part 1, part 2 and both."""
    attended = Booking.objects.filter(
        status=BookingStatus.ATTENDED, participant=OuterRef("participant")
    )
    return list(
        _bookings(user, trial_ids)
        .filter(status=BookingStatus.ATTENDED)
        .annotate(had_part_1=Exists(attended.filter(part=1)))
        .values(**BY_FORCE)
        .annotate(
            part_1=Count("participant", distinct=True, filter=Q(part=1)),
            part_2=Count("participant", distinct=True, filter=Q(part=2)),
            completed=Count("participant", distinct=True, filter=Q(part=2, had_part_1=True)),
        )
    )


def attendance_timeliness_by_force(
    *, user: AnyUser, trial_id: int, days: int, now: datetime.datetime
) -> list[Row]:
    """Return, per force, places whose register was due and those recorded in time.

    Due: a place in a session that went ahead, recorded or ended more than `days` ago (an
    empty register counts as late). On time: recorded within `days` of the session's end.
    """
    allowed = datetime.timedelta(days=days)
    places = (
        _bookings(user, [trial_id])
        .filter(session__cancelled_at__isnull=True)
        .exclude(status__in=NO_REGISTER, attendance="")
    )
    due = Q(attendance_recorded_at__isnull=False) | Q(session__ends_at__lt=now - allowed)
    on_time = Q(attendance_recorded_at__lte=F("session__ends_at") + allowed)
    return list(
        places.values(**BY_FORCE).annotate(
            due=Count("pk", filter=due), on_time=Count("pk", filter=on_time)
        )
    )
