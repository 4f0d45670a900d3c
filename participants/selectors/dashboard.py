"""The officer dashboard's status buckets, which later apps can fill or refine.

Each bucket is a condition on Participant rows, so every count comes from one aggregate query and
the list of a bucket is one filtered, paginated query, whatever the number of cases. The
workshops app fills "breach" (and may refine "awaiting workshops"), the outcomes app may refine
"follow-up due", by calling `bucket_register` from their AppConfig.ready().
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from participants.models import CaseStatus, Participant

if TYPE_CHECKING:
    from trial.models import Trial

Condition = Callable[[datetime.date, Iterable["Trial"]], Q]
NEVER = Q(pk__isnull=True)  # a placeholder condition no row meets


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    condition: Condition
    help: str = ""


def months_before(day: datetime.date, months: int) -> datetime.date:
    """Return the same day some months earlier (the 31st falls back to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _follow_up_due(today: datetime.date, trials: Iterable[Trial]) -> Q:
    """Enrolled cases whose first follow-up window (e.g. 12 months) has closed."""
    condition = NEVER
    for trial in trials:
        windows = [int(m) for m in trial.follow_up_months or []]
        if windows:
            condition |= Q(
                trial=trial,
                status=CaseStatus.ENROLLED,
                allocation__randomised_on__lte=months_before(today, min(windows)),
            )
    return condition


BUCKETS: list[Bucket] = [
    Bucket(
        "screened",
        "Screened",
        lambda today, trials: Q(status__in=[CaseStatus.SCREENED, CaseStatus.CONSENTED]),
        "Eligible so far: record the victim's decision, then enrol.",
    ),
    Bucket(
        "ineligible",
        "Ineligible or declined",
        lambda today, trials: Q(status__in=[CaseStatus.INELIGIBLE, CaseStatus.DECLINED]),
        "Kept in the screening log with their reasons.",
    ),
    Bucket("enrolled", "Enrolled", lambda today, trials: Q(status=CaseStatus.ENROLLED)),
    Bucket(
        "awaiting_workshops",
        "Awaiting workshops",
        lambda today, trials: Q(
            status=CaseStatus.ENROLLED,
            allocation__arm__is_intervention=True,
            workshop_deadline__gte=today,
        ),
        "Workshop arm, deadline not yet passed.",
    ),
    Bucket(
        "breach",
        "Breach to act on",
        lambda today, trials: NEVER,
        "Missed workshops without accepted reason: decide rebook, prosecution or no action.",
    ),
    Bucket(
        "follow_up_due",
        "Follow-up due",
        _follow_up_due,
        "The first follow-up window after randomisation has closed.",
    ),
]


def bucket_register(bucket: Bucket) -> None:
    """Add a bucket, or replace the one with the same key (keeping its place)."""
    for index, existing in enumerate(BUCKETS):
        if existing.key == bucket.key:
            BUCKETS[index] = bucket
            return
    BUCKETS.append(bucket)


def bucket_get(key: str) -> Bucket | None:
    return next((b for b in BUCKETS if b.key == key), None)


def bucket_counts(
    cases: QuerySet[Participant], today: datetime.date, trials: Iterable[Trial]
) -> dict[str, int]:
    """Return the number of cases in each bucket, in one query."""
    trials = list(trials)
    aggregates = {
        bucket.key: Count("pk", filter=bucket.condition(today, trials)) for bucket in BUCKETS
    }
    return cases.order_by().aggregate(**aggregates)
