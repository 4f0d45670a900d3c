"""Writes of follow-up: freeze each participant's snapshot once a window closes; corrections."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from common.exceptions import DomainError, NotAllowedError
from common.memberships import membership_check
from common.models import User
from common.services import audit_record
from outcomes.models import (
    HarmIndexVersion,
    ImportRun,
    RecordSource,
    ReoffenceRecord,
    Snapshot,
)
from outcomes.scoring import RecordFacts, Score, UnscoredError, score
from outcomes.selectors import ScoringTables, harm_index_for
from outcomes.services.records import DATA_ROLES, records_rematch, source_pull
from outcomes.sources.base import reader_for
from outcomes.windows import latest_randomisation_closed, window_closed, window_end
from trial.selectors import allocations

if TYPE_CHECKING:
    from trial.models import Allocation, Trial

FREEZE_BATCH = 1000  # participants per transaction: a killed worker loses at most one batch


@dataclass
class FreezeResult:
    frozen: int = 0
    blocked: int = 0  # waiting for an offence code the catalogue lacks


@dataclass
class WaveResult:
    frozen: int = 0
    blocked: int = 0
    failed_sources: list[str] = field(default_factory=list)
    transient: bool = False


@dataclass
class _Scorer:
    version: HarmIndexVersion
    harms: dict[str, Decimal]
    mapping: dict[str, str]
    last_run_id: int | None

    @classmethod
    def for_trial(cls, trial: Trial) -> _Scorer:
        tables = ScoringTables.for_trial(trial)
        return cls(
            version=harm_index_for(trial),
            harms=tables.harms,
            mapping=tables.mapping,
            last_run_id=ImportRun.objects.filter(source__trial=trial).aggregate(m=Max("id"))["m"],
        )

    def facts(self, allocation_ids: Sequence[int]) -> dict[int, list[RecordFacts]]:
        found: dict[int, list[RecordFacts]] = defaultdict(list)
        rows = ReoffenceRecord.objects.filter(allocation_id__in=allocation_ids).values_list(
            "allocation_id", "offence_date", "offence_code", "victim_relationship", "import_run_id"
        )
        for allocation_id, day, code, relationship, run_id in rows:
            found[allocation_id].append(RecordFacts(day, code, relationship, run_id))
        return found

    def snapshot(
        self, allocation_id: int, randomised_on: datetime.date, months: int, result: Score
    ) -> Snapshot:
        return Snapshot(
            allocation_id=allocation_id,
            window_months=months,
            window_end=window_end(randomised_on, months),
            offences=result.offences,
            harm_days=result.harm_days,
            reoffended=result.reoffended,
            same_partner=result.same_partner,
            domestic=result.domestic,
            days_to_first=result.days_to_first,
            harm_index=self.version,
            import_run_ids=result.import_run_ids,
            last_import_run_id=self.last_run_id,
        )


def snapshots_freeze(
    *,
    trial: Trial,
    today: datetime.date,
    by: User | None = None,
    limit: int | None = None,
) -> FreezeResult:
    """Freeze version 1 of every closed window not yet frozen; safe to run again at any point."""
    membership_check(by, trial, *DATA_ROLES)
    scorer = _Scorer.for_trial(trial)
    result = FreezeResult()
    for months in trial.follow_up_months:
        pending = (
            allocations(trial=trial, randomised_by=latest_randomisation_closed(months, today))
            .exclude(
                Exists(Snapshot.objects.filter(allocation=OuterRef("pk"), window_months=months))
            )
            .order_by("id")
            .values_list("id", "randomised_on")
        )
        after = 0
        while True:
            batch = [(pk, day) for pk, day in pending.filter(id__gt=after)[:FREEZE_BATCH]]
            if not batch:
                break
            after = batch[-1][0]
            closed = [(pk, day) for pk, day in batch if window_closed(day, months, today)]
            facts = scorer.facts([pk for pk, _ in closed])
            new: list[Snapshot] = []
            for pk, day in closed:
                try:
                    scored = score(
                        randomised_on=day,
                        months=months,
                        records=facts.get(pk, []),
                        harms=scorer.harms,
                        mapping=scorer.mapping,
                    )
                except UnscoredError:
                    result.blocked += 1
                    continue
                snap = scorer.snapshot(pk, day, months, scored)
                snap.data_cut, snap.frozen_by = today, by
                new.append(snap)
            with transaction.atomic():
                # The unique constraint makes a second run (or a concurrent one) add nothing.
                Snapshot.objects.bulk_create(new, ignore_conflicts=True)
                if new:
                    audit_record(
                        actor=by,
                        action="snapshot.freeze",
                        obj=trial,
                        window_months=months,
                        participants=len(new),
                        data_cut=today.isoformat(),
                    )
            result.frozen += len(new)
            if limit is not None and result.frozen >= limit:
                return result
    return result


def snapshot_correct(
    *,
    allocation: Allocation,
    window_months: int,
    reason: str,
    today: datetime.date | None = None,
    by: User | None,
) -> Snapshot:
    """Freeze a new version of a snapshot from the records known now, with the reason."""
    membership_check(by, allocation.trial, *DATA_ROLES)
    today = today or timezone.localdate()
    if not reason.strip():
        raise DomainError("Say why the snapshot is corrected.", field="reason")
    scorer = _Scorer.for_trial(allocation.trial)
    try:
        scored = score(
            randomised_on=allocation.randomised_on,
            months=window_months,
            records=scorer.facts([allocation.pk]).get(allocation.pk, []),
            harms=scorer.harms,
            mapping=scorer.mapping,
        )
    except UnscoredError as exc:
        raise NotAllowedError(
            f"Offence code(s) {exc} are not in catalogue {scorer.version}: load or map them first."
        ) from exc
    with transaction.atomic():
        latest = (
            Snapshot.objects.select_for_update()
            .filter(allocation=allocation, window_months=window_months)
            .order_by("-version")
            .first()
        )
        if latest is None:
            raise NotAllowedError("This window has not been frozen yet: nothing to correct.")
        snap = scorer.snapshot(allocation.pk, allocation.randomised_on, window_months, scored)
        snap.version, snap.reason, snap.data_cut, snap.frozen_by = (
            latest.version + 1,
            reason.strip(),
            max(today, latest.data_cut),
            by,
        )
        snap.save(force_insert=True)
        audit_record(
            actor=by,
            action="snapshot.correct",
            obj=snap,
            participant=allocation.participant_key,
            window_months=window_months,
            version=snap.version,
        )
    return snap


def followup_wave_run(*, trial: Trial, today: datetime.date, by: User | None = None) -> WaveResult:
    """Pull a trial's sources, then freeze its closed windows (not after a failed pull).

    One trial per call: the daily job runs one task per trial, so a records system that is down
    for one force retries that trial only.
    """
    membership_check(by, trial, *DATA_ROLES)
    result = WaveResult()
    for source in RecordSource.objects.filter(trial=trial, is_active=True):
        if reader_for(source.kind) is None:
            continue
        pulled = source_pull(source=source, by=by, today=today)
        if pulled.failure is not None:
            result.failed_sources.append(source.name)
            result.transient = result.transient or pulled.failure.transient
    if result.failed_sources:
        return result  # a snapshot frozen without a source's records would be wrong for good
    records_rematch(trial=trial, by=by)
    frozen = snapshots_freeze(trial=trial, today=today, by=by)
    result.frozen, result.blocked = frozen.frozen, frozen.blocked
    return result
