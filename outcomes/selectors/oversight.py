"""Follow-up figures per trial and police force for the oversight pages: counts, never a case.

One GROUP BY per figure over the trials where the user is national coordinator or trial
manager. Re-offence records that matched nobody belong to no force: they are counted per trial.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce

from common.exceptions import DomainError
from common.memberships import holds, trial_q
from common.models import User
from common.roles import Role
from outcomes.models import (
    ImportRun,
    ReoffenceRecord,
    RunStatus,
    Snapshot,
    SourceKind,
)
from outcomes.selectors.followup import records_waiting_for_code
from outcomes.windows import latest_randomisation_closed, window_closed

if TYPE_CHECKING:
    from trial.models import Trial

__all__ = [
    "extract_latest_at",
    "frozen_by_force",
    "latest_closed_randomisation",
    "unmatched_counts",
    "waiting_for_code_by_force",
]

AnyUser = User | AnonymousUser
Row = Mapping[str, Any]  # a GROUP BY row: trial_pk / force_pk and counts
OVERSIGHT_ROLES = (Role.NATIONAL_COORDINATOR, Role.TRIAL_MANAGER)
# Extracts from the records system; a history import or one typed-in record is not an extract.
EXTRACT_KINDS = [SourceKind.FOLDER, SourceKind.HTTP, SourceKind.UPLOAD]


def _may(user: AnyUser, trial: Trial) -> bool:
    return any(holds(user, role, trial) for role in OVERSIGHT_ROLES)


def latest_closed_randomisation(months: int, today: datetime.date) -> datetime.date:
    """Return the latest randomisation day whose window of N months has closed by today."""
    day = latest_randomisation_closed(months, today)
    while not window_closed(day, months, today):  # a few steps back at most (month ends)
        day -= datetime.timedelta(days=1)
    return day


def frozen_by_force(*, user: AnyUser, trial_ids: Iterable[int]) -> list[Row]:
    """Return participants with a frozen first snapshot, per trial, force and window."""
    return list(
        Snapshot.objects.filter(trial_q(user, *OVERSIGHT_ROLES, field="allocation__trial"))
        .filter(allocation__trial_id__in=list(trial_ids), version=1)
        .order_by()
        .values(
            "window_months",
            trial_pk=F("allocation__trial_id"),
            force_pk=F("allocation__participant__police_area__force_id"),
        )
        .annotate(n=Count("allocation", distinct=True))
    )


def extract_latest_at(*, user: AnyUser, trial: Trial) -> datetime.datetime | None:
    """Return when the trial's latest re-offence extract was imported (None: never)."""
    if not _may(user, trial):
        return None
    runs = ImportRun.objects.filter(
        source__trial=trial, source__kind__in=EXTRACT_KINDS, status=RunStatus.SUCCEEDED
    )
    latest: datetime.datetime | None = runs.aggregate(
        at=Max(Coalesce("finished_at", "started_at"))
    )["at"]
    return latest


def unmatched_counts(*, user: AnyUser, trial: Trial) -> dict[str, int]:
    """Return the trial's re-offence records and how many matched no participant."""
    if not _may(user, trial):
        return {"records": 0, "unmatched": 0}
    counts: dict[str, int] = (
        ReoffenceRecord.objects.filter(source__trial=trial)
        .order_by()
        .aggregate(records=Count("pk"), unmatched=Count("pk", filter=Q(allocation__isnull=True)))
    )
    return counts


def waiting_for_code_by_force(*, user: AnyUser, trial: Trial) -> list[Row] | None:
    """Return, per force, participants whose snapshots wait for an offence code to be scored.

    The same men as outcomes' unscored codes: a record with a code the trial's catalogue
    cannot score (nor a mapping), not yet frozen in every window. None: no catalogue loaded.
    """
    if not _may(user, trial):
        return []
    try:
        waiting = records_waiting_for_code(trial)
    except DomainError:
        return None
    return list(
        waiting.order_by()
        .values(force_pk=F("allocation__participant__police_area__force_id"))
        .annotate(n=Count("allocation", distinct=True))
    )
