"""Reads: the snapshots of a data cut (for reports) and the data manager's dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from common.exceptions import DomainError
from common.memberships import AnyUser, holds, trial_q
from common.roles import Role
from outcomes.models import (
    HarmIndexEntry,
    HarmIndexVersion,
    HistoricalBaseline,
    ImportRun,
    OffenceCodeMapping,
    RecordSource,
    ReoffenceRecord,
    Snapshot,
    TrialHarmIndex,
)

if TYPE_CHECKING:
    from trial.models import Trial

# Who reads the follow-up data of a trial: its data managers and its trial managers.
DATA_ROLES = (Role.DATA_MANAGER, Role.TRIAL_MANAGER)


def _data_q(user: AnyUser, field: str) -> Q:
    return trial_q(user, *DATA_ROLES, field=field)


@dataclass(frozen=True)
class SnapshotRow:
    """One participant's outcome in a window, as frozen at or before a data cut."""

    participant_key: str
    arm: str  # the arm's code, e.g. cara or control
    stratum: str  # e.g. area=southampton
    randomised_on: datetime.date
    window_end: datetime.date  # last day counted (inclusive)
    offences: int
    harm_days: Decimal
    reoffended: bool
    same_partner: bool
    domestic: bool
    days_to_first: int | None
    version: int
    data_cut: datetime.date
    harm_index: str

    @property
    def follow_up_days(self) -> int:
        """Length of the window in days: the censoring time when nobody re-offended."""
        return (self.window_end - self.randomised_on).days


def snapshots_at_cut(
    *, trial: Trial, window_months: int, data_cut: datetime.date
) -> list[SnapshotRow]:
    """Return each participant's latest snapshot version frozen on or before the data cut.

    Participants whose window was not frozen by the cut are absent (not zero); the result is the
    same whenever it is asked, because snapshots never change.
    """
    latest = (
        Snapshot.objects.filter(
            allocation=OuterRef("allocation"), window_months=window_months, data_cut__lte=data_cut
        )
        .order_by("-version")
        .values("version")[:1]
    )
    rows = (
        Snapshot.objects.filter(
            allocation__trial=trial, window_months=window_months, data_cut__lte=data_cut
        )
        .filter(version=Subquery(latest))
        .order_by("allocation__seq")
        .values_list(
            "allocation__participant_key",
            "allocation__arm__code",
            "allocation__stratum__key",
            "allocation__randomised_on",
            "window_end",
            "offences",
            "harm_days",
            "reoffended",
            "same_partner",
            "domestic",
            "days_to_first",
            "version",
            "data_cut",
            "harm_index__name",
        )
    )
    return [SnapshotRow(*row) for row in rows]


@dataclass(frozen=True)
class UnscoredCode:
    trial: str
    code: str
    records: int
    participants: int


def records_waiting_for_code(trial: Trial) -> QuerySet[ReoffenceRecord]:
    """Return a trial's matched records whose code its catalogue cannot score (nor a mapping),
    of participants not yet frozen in every window: what holds their snapshots back.

    The one statement of that rule, for the data manager's unscored codes and the per-force
    data-quality figure. Raises DomainError when no catalogue is loaded.
    """
    version = harm_index_for(trial)
    known = HarmIndexEntry.objects.filter(version=version).values("code")
    mapped = OffenceCodeMapping.objects.filter(to_code__in=known).values("from_code")
    all_frozen = (
        Snapshot.objects.filter(allocation__trial=trial, version=1)
        .values("allocation")
        .annotate(windows=Count("window_months", distinct=True))
        .filter(windows__gte=len(trial.follow_up_months))
        .values("allocation")
    )
    return (
        ReoffenceRecord.objects.filter(source__trial=trial, allocation__isnull=False)
        .exclude(offence_code__in=known)
        .exclude(offence_code__in=mapped)
        .exclude(allocation__in=all_frozen)
    )


def unscored_codes(trial: Trial) -> list[UnscoredCode]:
    """Return the codes the trial's catalogue cannot score, of participants not fully frozen."""
    rows = (
        records_waiting_for_code(trial)
        .values("offence_code")
        .annotate(records=Count("id"), participants=Count("allocation", distinct=True))
        .order_by("offence_code")
    )
    return [
        UnscoredCode(trial.code, r["offence_code"], r["records"], r["participants"]) for r in rows
    ]


@dataclass(frozen=True)
class TrialFollowUp:
    trial: Trial
    sources: list[RecordSource]
    unmatched: int
    unscored: list[UnscoredCode]
    snapshots: dict[int, int]  # window months -> participants frozen


def dashboard_trials(*, user: AnyUser, trial: Trial | None) -> list[TrialFollowUp]:
    """Return the shown trial's sources, unmatched count, unscored codes and snapshot counts.

    Empty when no trial is shown or the user is not one of its data or trial managers.
    """
    if trial is None or not _allowed(user, trial):
        return []
    counts = frozen_counts(trial=trial)
    return [
        TrialFollowUp(
            trial=trial,
            sources=list(RecordSource.objects.filter(trial=trial)),
            unmatched=ReoffenceRecord.objects.filter(
                source__trial=trial, allocation__isnull=True
            ).count(),
            unscored=_unscored_or_empty(trial),
            snapshots={int(m): counts.get(m, 0) for m in trial.follow_up_months},
        )
    ]


def _allowed(user: AnyUser, trial: Trial) -> bool:
    return any(holds(user, role, trial) for role in DATA_ROLES)


def _unscored_or_empty(trial: Trial) -> list[UnscoredCode]:
    try:
        return unscored_codes(trial)
    except DomainError:  # no catalogue loaded: the page says so instead of failing
        return []


RUN_ORDER = ["-started_at", "-id"]  # latest first; the id breaks ties for keyset pages


def recent_runs(*, user: AnyUser, trial: Trial | None) -> QuerySet[ImportRun]:
    """Return the shown trial's import runs the user may see, latest first, with their source."""
    runs = ImportRun.objects.filter(_data_q(user, "source__trial"), source__trial=trial)
    return runs.select_related("source__trial").order_by(*RUN_ORDER)


def failed_run_count(*, user: AnyUser) -> int:
    """Count the failed or refused runs of the trials whose data the user manages."""
    failed = Q(status="failed") | Q(status="rejected")
    return ImportRun.objects.filter(failed, _data_q(user, "source__trial")).count()


@dataclass(frozen=True)
class HistoricalBaselineRow:
    """Baseline facts of a participant of a trial imported from elsewhere; None: not recorded."""

    age: int | None
    offence_type: str  # "" when not recorded
    dash_risk: str  # standard, medium, high; "" when not recorded
    workshops_attended: int | None  # 0-2; None for the control arm or when not recorded


def historical_baseline(*, trial: Trial) -> dict[str, HistoricalBaselineRow]:
    """Return the imported baseline facts of a trial's participants, keyed by trial ID.

    Empty for a trial randomised here (its baseline comes from screening).
    """
    rows = HistoricalBaseline.objects.filter(allocation__trial=trial).values_list(
        "allocation__participant_key", "age", "offence_type", "dash_risk", "workshops_attended"
    )
    return {
        key: HistoricalBaselineRow(age, offence_type, dash_risk, workshops)
        for key, age, offence_type, dash_risk, workshops in rows
    }


def harm_index_for(trial: Trial) -> HarmIndexVersion:
    """Return the catalogue version a trial scores with: its pinned one, else the current one."""
    pinned = TrialHarmIndex.objects.select_related("version").filter(trial=trial).first()
    if pinned is not None:
        return pinned.version
    current = HarmIndexVersion.objects.filter(is_current=True).first()
    if current is None:
        raise DomainError("No Crime Harm Index version is loaded: run load_harm_index first.")
    return current


def source_get(*, user: AnyUser | None, pk: int) -> RecordSource:
    """Return a source of a trial whose data the user manages, or 404 (None: a task's read)."""
    sources = RecordSource.objects.select_related("trial")
    if user is not None:
        sources = sources.filter(_data_q(user, "trial"))
    found = sources.filter(pk=pk).first()
    if found is None:
        raise Http404("No such record source.")
    return found


def import_run_get(*, user: AnyUser | None, pk: int) -> ImportRun:
    """Return an import run of a trial whose data the user manages, or 404 (None: a task's)."""
    runs = ImportRun.objects.select_related("source__trial")
    if user is not None:
        runs = runs.filter(_data_q(user, "source__trial"))
    found = runs.filter(pk=pk).first()
    if found is None:
        raise Http404("No such import run.")
    return found


def frozen_counts(*, trial: Trial) -> dict[int, int]:
    """Return, per follow-up window, how many participants have a first snapshot frozen."""
    return dict(
        Snapshot.objects.filter(allocation__trial=trial, version=1)
        .values_list("window_months")
        .annotate(n=Count("id"))
        .values_list("window_months", "n")
    )


def latest_data_cut(
    *, trial: Trial, window_months: int, before: datetime.date
) -> datetime.date | None:
    """Return the latest data cut of a window's snapshots frozen before a day, if any."""
    return Snapshot.objects.filter(
        allocation__trial=trial, window_months=window_months, data_cut__lt=before
    ).aggregate(cut=Max("data_cut"))["cut"]


def harm_index_loaded(name: str) -> bool:
    """Say whether a catalogue version of this name is loaded."""
    return HarmIndexVersion.objects.filter(name=name).exists()


def trial_sources(*, trial: Trial, kind: str | None = None) -> QuerySet[RecordSource]:
    """Return a trial's record sources, of one kind if given."""
    sources = RecordSource.objects.filter(trial=trial).order_by("name")
    return sources if kind is None else sources.filter(kind=kind)
