"""Reads other apps make of trials and allocations: by code, by status, locked, allocated.

These are the system's own reads (imports, follow-up, reports, enrolment), not a person's;
pages that show trials to a person use the selectors in trials.py, which check the role.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from common.dates import add_months
from trial.models import (
    Allocation,
    Arm,
    ChainVerification,
    PostRandomisationEvent,
    PostRandomisationKind,
    Trial,
    TrialStatus,
)

# Trials that have begun: recruiting or past it (set-up trials have no cases yet).
STARTED = [
    TrialStatus.RECRUITING,
    TrialStatus.RECRUITMENT_CLOSED,
    TrialStatus.FOLLOW_UP,
    TrialStatus.CLOSED,
]


def trial_list(*, statuses: Iterable[str] | None = None) -> QuerySet[Trial]:
    """Return the trials, by code, in the given statuses (all when None)."""
    trials = Trial.objects.order_by("code")
    return trials if statuses is None else trials.filter(status__in=list(statuses))


def trial_by_code(code: str, *, ignore_case: bool = False) -> Trial | None:
    """Return the trial with this code, or None."""
    lookup = {"code__iexact" if ignore_case else "code": code.strip()}
    return Trial.objects.filter(**lookup).first()


def trial_get(*, pk: int) -> Trial:
    """Return the trial with this id (raises Trial.DoesNotExist)."""
    return Trial.objects.get(pk=pk)


def trial_locked(*, pk: int) -> Trial:
    """Return the trial row locked until commit (the caller's transaction numbers rows by it)."""
    return Trial.objects.select_for_update().get(pk=pk)


def trials_with_allocations() -> QuerySet[Trial]:
    """Return the started trials that hold at least one allocation (follow-up has work there)."""
    return trial_list(statuses=STARTED).filter(
        Exists(Allocation.objects.filter(trial=OuterRef("pk")))
    )


def trial_arms(trial: Trial) -> list[Arm]:
    """Return a trial's arms in their display order."""
    return list(Arm.objects.filter(trial=trial).order_by("order", "id"))


def allocations(
    *, trial: Trial | int, randomised_by: datetime.date | None = None
) -> QuerySet[Allocation]:
    """Return a trial's allocations with their arms, randomised on or before a date if given."""
    rows = Allocation.objects.filter(trial=trial).select_related("arm")
    return rows if randomised_by is None else rows.filter(randomised_on__lte=randomised_by)


def allocation_get(*, pk: int) -> Allocation:
    """Return one allocation with its arm (raises Allocation.DoesNotExist)."""
    return Allocation.objects.select_related("arm", "trial").get(pk=pk)


def withdrawn_keys(*, trial: Trial, by: datetime.date) -> set[str]:
    """Return the trial IDs with a withdrawal recorded on their allocation, dated by a day."""
    return set(
        PostRandomisationEvent.objects.filter(
            allocation__trial=trial,
            kind=PostRandomisationKind.WITHDRAWN,
            occurred_on__lte=by,
        ).values_list("allocation__participant_key", flat=True)
    )


def latest_verification(trial: Trial) -> ChainVerification | None:
    """Return the trial's most recent chain verification, if any."""
    return ChainVerification.objects.filter(trial=trial).order_by("-at", "-id").first()


def erasure_due_on(trial: Trial) -> datetime.date | None:
    """Return the day the trial's personal data are due for erasure (None while it is open)."""
    if trial.closed_on is None:
        return None
    return add_months(trial.closed_on, trial.retention_months)


def trials_due_for_erasure(today: datetime.date) -> list[Trial]:
    """Return the closed trials whose retention period has ended and whose data remain."""
    closed = Trial.objects.filter(status=TrialStatus.CLOSED, personal_data_erased_at=None)
    return [t for t in closed if (erasure_due_on(t) or today) <= today]
