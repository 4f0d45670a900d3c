"""Counts of cases per trial and police force for the oversight pages: numbers, never a case.

Each read is one GROUP BY over the cases of the trials where the user is national coordinator
or trial manager; rows carry `trial_pk`, `force_pk` and counts only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from common.memberships import trial_q
from common.models import User
from common.roles import Role
from participants.models import ACTIVE_STATUSES, CaseStatus, Participant

__all__ = [
    "allocation_by_force",
    "consent_timeliness_by_force",
    "randomised_by_month",
    "recruitment_by_force",
    "screened_by_month",
    "screening_completeness_by_force",
    "windows_due_by_force",
]

AnyUser = User | AnonymousUser
Row = Mapping[str, Any]  # a GROUP BY row: trial_pk / force_pk and counts
OVERSIGHT_ROLES = (Role.NATIONAL_COORDINATOR, Role.TRIAL_MANAGER)
BY_FORCE = {"trial_pk": F("trial_id"), "force_pk": F("police_area__force_id")}
ENROLLED = Q(status=CaseStatus.ENROLLED)


def _cases(user: AnyUser, trial_ids: Iterable[int]) -> QuerySet[Participant]:
    scoped = Participant.objects.filter(trial_q(user, *OVERSIGHT_ROLES))
    return scoped.filter(trial_id__in=list(trial_ids)).order_by()


def recruitment_by_force(*, user: AnyUser, trial_ids: Iterable[int]) -> list[Row]:
    """Return screened, eligible and randomised counts per trial and force."""
    return list(
        _cases(user, trial_ids)
        .values(**BY_FORCE)
        .annotate(
            screened=Count("pk"),
            eligible=Count("pk", filter=Q(eligible=True)),
            randomised=Count("pk", filter=ENROLLED),
            intervention=Count("pk", filter=ENROLLED & Q(allocation__arm__is_intervention=True)),
        )
    )


def screened_by_month(*, user: AnyUser, trial_ids: Iterable[int]) -> list[Row]:
    """Return cases screened per trial, force and month (local time)."""
    return list(
        _cases(user, trial_ids)
        .annotate(month=TruncMonth("screened_at", tzinfo=timezone.get_current_timezone()))
        .values("month", **BY_FORCE)
        .annotate(n=Count("pk"))
    )


def randomised_by_month(*, user: AnyUser, trial_ids: Iterable[int]) -> list[Row]:
    """Return cases randomised per trial, force and month of randomisation."""
    return list(
        _cases(user, trial_ids)
        .filter(ENROLLED)
        .annotate(month=TruncMonth("allocation__randomised_on"))
        .values("month", **BY_FORCE)
        .annotate(n=Count("pk"))
    )


def allocation_by_force(*, user: AnyUser, trial_ids: Iterable[int]) -> list[Row]:
    """Return randomised cases per trial, force and allocated arm (intention to treat)."""
    return list(
        _cases(user, trial_ids)
        .filter(ENROLLED)
        .values(arm=F("allocation__arm_id"), **BY_FORCE)
        .annotate(n=Count("pk"))
    )


def windows_due_by_force(
    *, user: AnyUser, trial_id: int, closed_by: dict[int, datetime.date]
) -> list[Row]:
    """Return, per force, the randomised cases of a trial whose follow-up windows have closed.

    closed_by maps a window (months) to the latest randomisation day whose window has closed;
    each count is named `due_<months>`.
    """
    counts = {
        f"due_{months}": Count("pk", filter=Q(allocation__randomised_on__lte=day))
        for months, day in closed_by.items()
    }
    return list(_cases(user, [trial_id]).filter(ENROLLED).values(**BY_FORCE).annotate(**counts))


def screening_completeness_by_force(*, user: AnyUser, trial_id: int) -> list[Row]:
    """Return, per force, open cases and those whose optional screening facts are all recorded.

    The form leaves the contact route optional: a phone or e-mail and an address are what the
    provider needs to invite a man. Closed and erased cases forget them by design (not counted).
    """
    held = Q(status__in=ACTIVE_STATUSES, given_name__isnull=False)
    contact = Q(phone__isnull=False) | Q(email__isnull=False)
    complete = held & contact & Q(address__isnull=False)
    return list(
        _cases(user, [trial_id])
        .values(**BY_FORCE)
        .annotate(cases=Count("pk", filter=held), complete=Count("pk", filter=complete))
    )


def consent_timeliness_by_force(
    *, user: AnyUser, trial_id: int, days: int, now: datetime.datetime
) -> list[Row]:
    """Return, per force, eligible cases due a victim's decision and those recorded in time.

    Due: the decision is recorded, or the case was screened more than `days` ago (still
    waiting counts as late). On time: recorded within `days` of screening.
    """
    allowed = datetime.timedelta(days=days)
    due = Q(eligible=True) & (Q(consent__isnull=False) | Q(screened_at__lt=now - allowed))
    on_time = Q(eligible=True, consent__recorded_at__lte=F("screened_at") + allowed)
    return list(
        _cases(user, [trial_id])
        .values(**BY_FORCE)
        .annotate(due=Count("pk", filter=due), on_time=Count("pk", filter=on_time))
    )
