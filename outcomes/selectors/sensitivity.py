"""Reads for the report's sensitivity analyses: charge-only outcomes and unscorable windows.

Both score records the way freezing does (outcomes.scoring), so a sensitivity figure differs from
the primary one only by the assumption it names.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from common.exceptions import DomainError
from outcomes.models import (
    HarmIndexEntry,
    OffenceCodeMapping,
    RecordStatus,
    ReoffenceRecord,
    Snapshot,
)
from outcomes.scoring import RecordFacts, harm_of, score
from outcomes.selectors.followup import harm_index_for
from outcomes.windows import in_window, window_closed
from trial.selectors import allocations

if TYPE_CHECKING:
    from trial.models import Trial

# A record counts in the charge-only analysis once the police acted on it formally; arrests and
# complaints of crime alone do not.
CHARGED = frozenset({RecordStatus.CHARGE, RecordStatus.CAUTION, RecordStatus.CONVICTION})


@dataclass(frozen=True)
class ScoringTables:
    """The trial's catalogue (code -> CCHI days) and the installation's code mapping."""

    harms: dict[str, Decimal]
    mapping: dict[str, str]

    @classmethod
    def for_trial(cls, trial: Trial) -> ScoringTables:
        version = harm_index_for(trial)
        return cls(
            harms=dict(
                HarmIndexEntry.objects.filter(version=version).values_list("code", "harm_days")
            ),
            mapping=dict(OffenceCodeMapping.objects.values_list("from_code", "to_code")),
        )


@dataclass(frozen=True)
class ChargedOutcome:
    """A participant's outcome counting only records the police charged, cautioned or convicted."""

    reoffended: bool
    harm: float


@dataclass(frozen=True)
class UnscorableOutcome:
    """A closed window waiting for an offence code, scored with it at the catalogue's ends."""

    participant_key: str
    arm: str
    offences: int
    harm_min: float
    harm_max: float


def _records(allocation_ids: list[int]) -> dict[int, list[tuple[RecordFacts, str]]]:
    found: dict[int, list[tuple[RecordFacts, str]]] = defaultdict(list)
    rows = ReoffenceRecord.objects.filter(allocation_id__in=allocation_ids).values_list(
        "allocation_id",
        "offence_date",
        "offence_code",
        "victim_relationship",
        "import_run_id",
        "record_status",
    )
    for pk, day, code, relationship, run_id, status in rows.iterator(chunk_size=5000):
        found[pk].append((RecordFacts(day, code, relationship, run_id), status))
    return found


def charged_outcomes(
    *, trial: Trial, window_months: int, data_cut: datetime.date
) -> dict[str, ChargedOutcome | None]:
    """Return, per participant analysed at the cut, the charge-only outcome (None: a counted
    record carries no status, so it cannot be said whether it was charged).

    Records are those the participant's snapshot at the cut was frozen from (no later run).
    """
    # The latest version frozen by the cut, as snapshots_at_cut picks it (versions ascend).
    latest: dict[int, tuple[str, datetime.date, int | None]] = {}
    for pk, key, day, run in (
        Snapshot.objects.filter(
            allocation__trial=trial, window_months=window_months, data_cut__lte=data_cut
        )
        .order_by("allocation_id", "version")
        .values_list(
            "allocation_id",
            "allocation__participant_key",
            "allocation__randomised_on",
            "last_import_run_id",
        )
    ):
        latest[pk] = (key, day, run)
    if not latest:
        return {}
    people = [(pk, key, day) for pk, (key, day, _) in latest.items()]
    last_run = {pk: run for pk, (_, _, run) in latest.items()}
    tables = ScoringTables.for_trial(trial)
    records = _records([pk for pk, _, _ in people])
    found: dict[str, ChargedOutcome | None] = {}
    for pk, key, randomised_on in people:
        run = last_run[pk]
        counted = [
            (facts, status)
            for facts, status in records.get(pk, [])
            if in_window(randomised_on, window_months, facts.offence_date)
            and (run is None or facts.import_run_id <= run)
        ]
        if any(status == RecordStatus.NOT_RECORDED for _, status in counted):
            found[key] = None
            continue
        charged = [facts for facts, status in counted if status in CHARGED]
        harm = sum(
            (harm_of(f.offence_code, tables.harms, tables.mapping) or Decimal(0) for f in charged),
            Decimal(0),
        )
        found[key] = ChargedOutcome(reoffended=bool(charged), harm=float(harm))
    return found


def unscorable_outcomes(
    *, trial: Trial, window_months: int, data_cut: datetime.date
) -> list[UnscorableOutcome]:
    """Return the participants whose window closed by the cut with no snapshot frozen by it
    because a record's offence code is in neither the catalogue nor the mapping.

    Each is scored twice with every unknown code at the catalogue's least and greatest harm: the
    bounds of a sensitivity analysis, never the primary outcome.
    """
    analysed = Snapshot.objects.filter(
        allocation__trial=trial, window_months=window_months, data_cut__lte=data_cut
    ).values("allocation_id")
    waiting = [
        (pk, key, arm, day)
        for pk, key, arm, day in allocations(trial=trial, randomised_by=data_cut)
        .exclude(id__in=analysed)
        .values_list("id", "participant_key", "arm__code", "randomised_on")
        if window_closed(day, window_months, data_cut)
    ]
    if not waiting:
        return []
    try:
        tables = ScoringTables.for_trial(trial)
    except DomainError:  # no catalogue: nothing can be scored, so nothing to bound
        return []
    if not tables.harms:
        return []
    low, high = min(tables.harms.values()), max(tables.harms.values())
    records = _records([pk for pk, _, _, _ in waiting])
    found: list[UnscorableOutcome] = []
    for pk, key, arm, day in waiting:
        facts = [f for f, _ in records.get(pk, [])]
        counted = [f for f in facts if in_window(day, window_months, f.offence_date)]
        unknown = {
            f.offence_code
            for f in counted
            if harm_of(f.offence_code, tables.harms, tables.mapping) is None
        }
        if not unknown:
            continue  # not frozen for another reason (the freeze has not run yet)
        bounds = [
            score(
                randomised_on=day,
                months=window_months,
                records=counted,
                harms={**tables.harms, **dict.fromkeys(unknown, value)},
                mapping=tables.mapping,
            )
            for value in (low, high)
        ]
        found.append(
            UnscorableOutcome(
                participant_key=key,
                arm=arm,
                offences=bounds[0].offences,
                harm_min=float(bounds[0].harm_days),
                harm_max=float(bounds[1].harm_days),
            )
        )
    return found
