"""The officer dashboard's status buckets, which later apps can fill or refine.

Each bucket is a condition on Participant rows and the statuses its cases can have. The counts
come from two queries whatever the number of buckets: one GROUP BY status over the
trial-area-status index (an index-only scan, no join, no subquery) answers the buckets that are
statuses alone, and one aggregate over the rows of the named statuses (the enrolled, a small
share of the screening log) answers the rest. Counting every bucket's condition over every case
cost 160-190 ms at 100,000 cases (issue 18); kept counters could not follow conditions on dates
and on other apps' tables, and a cache would show a count the list beside it contradicts.
The workshops app fills "breach" (and may refine "awaiting workshops"), the outcomes app may
refine "follow-up due", by calling `bucket_register` from their AppConfig.ready().
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from participants.models import CaseStatus, Participant

if TYPE_CHECKING:
    from trial.models import Trial

Condition = Callable[[datetime.date, Iterable["Trial"]], Q]
ENROLLED: tuple[str, ...] = (CaseStatus.ENROLLED,)  # workshops, breaches and follow-ups
NEVER = Q(pk__isnull=True)  # a placeholder condition no row meets


@dataclass(frozen=True)
class Bucket:
    """A named set of cases: the statuses they can have and, among those, a condition."""

    key: str
    label: str
    condition: Condition
    help: str = ""
    # None: any status (its count then reads every case). by_status: the statuses are the
    # whole rule, so the grouped count answers it and the condition is not evaluated.
    statuses: tuple[str, ...] | None = None
    by_status: bool = False

    def rows(self, today: datetime.date, trials: Iterable[Trial]) -> Q:
        """The cases in the bucket (the list and the count both use this)."""
        narrowed = Q(status__in=self.statuses) if self.statuses is not None else Q()
        return narrowed if self.by_status else narrowed & self.condition(today, trials)


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
                allocation__randomised_on__lte=months_before(today, min(windows)),
            )
    return condition


BUCKETS: list[Bucket] = [
    Bucket(
        "screened",
        "Screened",
        lambda today, trials: Q(),
        "Eligible so far: record the victim's decision, then enrol.",
        statuses=(CaseStatus.SCREENED, CaseStatus.CONSENTED),
        by_status=True,
    ),
    Bucket(
        "ineligible",
        "Ineligible or declined",
        lambda today, trials: Q(),
        "Kept in the screening log with their reasons.",
        statuses=(CaseStatus.INELIGIBLE, CaseStatus.DECLINED),
        by_status=True,
    ),
    Bucket(
        "enrolled",
        "Enrolled",
        lambda today, trials: Q(),
        statuses=ENROLLED,
        by_status=True,
    ),
    Bucket(
        "awaiting_workshops",
        "Awaiting workshops",
        lambda today, trials: Q(
            allocation__arm__is_intervention=True, workshop_deadline__gte=today
        ),
        "Workshop arm, deadline not yet passed.",
        statuses=ENROLLED,
    ),
    Bucket(
        "breach",
        "Breach to act on",
        lambda today, trials: NEVER,
        "Missed workshops without accepted reason: decide rebook, prosecution or no action.",
        statuses=ENROLLED,
    ),
    Bucket(
        "follow_up_due",
        "Follow-up due",
        _follow_up_due,
        "The first follow-up window after randomisation has closed.",
        statuses=ENROLLED,
    ),
]


def bucket_register(bucket: Bucket) -> None:
    """Add a bucket, or replace the one with the same key (keeping its place)."""
    for index, existing in enumerate(BUCKETS):
        if existing.key == bucket.key:
            BUCKETS[index] = bucket
            return
    BUCKETS.append(bucket)


# Whether a man has finished his workshops: the workshops app's to say (workshops_done_register),
# so the list shows a passed deadline as met rather than overdue. Never, until it says.
_workshops_done: list[Callable[[], Q]] = [lambda: NEVER]


def workshops_done_register(condition: Callable[[], Q]) -> None:
    """Say how to tell, on Participant rows, that a man has finished his workshops."""
    _workshops_done[0] = condition


def with_workshops_done(cases: QuerySet[Participant]) -> QuerySet[Participant]:
    """Annotate each case with `workshops_done` (one EXISTS in the page's own query)."""
    return cases.annotate(
        workshops_done=ExpressionWrapper(_workshops_done[0](), output_field=BooleanField())
    )


def bucket_get(key: str) -> Bucket | None:
    return next((b for b in BUCKETS if b.key == key), None)


def bucket_counts(
    cases: QuerySet[Participant], today: datetime.date, trials: Iterable[Trial]
) -> dict[str, int]:
    """Return the number of cases in each bucket: one grouped query, one per set of statuses."""
    trials = list(trials)
    # COUNT(*), not COUNT(id): the id is not in the index, and reading it would visit every row.
    by_status = dict(
        cases.order_by().values_list("status").annotate(n=Count("*")).values_list("status", "n")
    )
    counts: dict[str, int] = {}
    narrowed: dict[tuple[str, ...] | None, list[Bucket]] = {}
    for bucket in BUCKETS:
        if bucket.by_status and bucket.statuses is not None:
            counts[bucket.key] = sum(by_status.get(status, 0) for status in bucket.statuses)
        else:
            narrowed.setdefault(bucket.statuses, []).append(bucket)
    for statuses, buckets in narrowed.items():
        rows = cases.order_by() if statuses is None else cases.filter(status__in=statuses)
        counts |= rows.order_by().aggregate(
            **{b.key: Count("pk", filter=b.condition(today, trials)) for b in buckets}
        )
    return counts
