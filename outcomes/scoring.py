"""Score one participant's records for one window with a catalogue version (pure functions)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from outcomes.models import DOMESTIC, VictimRelationship
from outcomes.windows import in_window


@dataclass(frozen=True)
class RecordFacts:
    """What scoring needs of a re-offence record."""

    offence_date: datetime.date
    offence_code: str
    victim_relationship: str
    import_run_id: int


@dataclass(frozen=True)
class Score:
    offences: int
    harm_days: Decimal
    reoffended: bool
    same_partner: bool
    domestic: bool
    days_to_first: int | None
    import_run_ids: list[int] = field(default_factory=list)


class UnscoredError(Exception):
    """Some counted records carry offence codes the catalogue does not have."""

    def __init__(self, codes: set[str]) -> None:
        super().__init__(", ".join(sorted(codes)))
        self.codes = codes


def harm_of(code: str, harms: Mapping[str, Decimal], mapping: Mapping[str, str]) -> Decimal | None:
    """Return the harm of a code, through a mapping if it has one; None when unknown."""
    if code in harms:
        return harms[code]
    mapped = mapping.get(code)
    return harms.get(mapped) if mapped is not None else None


def score(
    *,
    randomised_on: datetime.date,
    months: int,
    records: Iterable[RecordFacts],
    harms: Mapping[str, Decimal],
    mapping: Mapping[str, str],
) -> Score:
    """Score the records inside the window; raise UnscoredError rather than count a code as 0."""
    counted = [r for r in records if in_window(randomised_on, months, r.offence_date)]
    unknown = {r.offence_code for r in counted if harm_of(r.offence_code, harms, mapping) is None}
    if unknown:
        raise UnscoredError(unknown)
    total = sum(
        (harm_of(r.offence_code, harms, mapping) or Decimal(0) for r in counted), Decimal(0)
    )
    first = min((r.offence_date for r in counted), default=None)
    return Score(
        offences=len(counted),
        harm_days=total,
        reoffended=bool(counted),
        same_partner=any(r.victim_relationship == VictimRelationship.SAME_PARTNER for r in counted),
        domestic=any(r.victim_relationship in DOMESTIC for r in counted),
        days_to_first=(first - randomised_on).days if first else None,
        import_run_ids=sorted({r.import_run_id for r in counted}),
    )
