"""Demo follow-up: a folder source with a sample extract of believable re-offences, then snapshots.

About 20% of control and 13% of CARA participants re-offend within a year (the published trial's
proportions, roughly), with a mix of catalogue offence codes, many against the same partner.
Records are written as a CSV extract into the source's drop folder and pulled through the normal
import, so the demo exercises the real pipeline. Safe to run again: records are unique per source
record id, and snapshots per participant and window.
"""

from __future__ import annotations

import csv
import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from common.models import User
from outcomes.catalogue import harm_index_load
from outcomes.followup import snapshots_freeze
from outcomes.models import HarmIndexVersion, RecordSource, SourceKind
from outcomes.rows import COLUMNS
from outcomes.services import source_create, source_pull
from trial.models import Allocation, Trial

RATES = {True: 0.13, False: 0.20}  # intervention arm, control arm: share re-offending in a year
# (code, weight): mostly low-harm domestic offences, some serious ones.
OFFENCES = [
    ("105/01", 30),
    ("008/06", 12),
    ("195/94", 10),
    ("125/09", 8),
    ("149/00-other", 8),
    ("008/31", 6),
    ("008/67", 5),
    ("003/01", 3),
    ("049/10", 5),
    ("008/65", 2),
]
RELATIONSHIPS = [("same_partner", 55), ("other_partner", 15), ("family", 10), ("non_domestic", 20)]
SHIPPED = Path(__file__).resolve().parent.parent / "outcomes" / "data" / "harm-index-da.csv"


@dataclass(frozen=True)
class DemoOutcomes:
    records: int
    snapshots: int


def demo_pnc_of(number: int) -> str | None:
    """Return the demo person's PNC ID from the participants demo (None if it is absent)."""
    try:
        from demo.participants import demo_pnc_id  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # the participants demo is not installed: no PNC IDs to send
        return None
    return str(demo_pnc_id(number))


def _extract_rows(
    trial: Trial, today: datetime.date, pnc_of: Callable[[int], str | None]
) -> list[list[str]]:
    rng = random.Random(f"{trial.code}-follow-up")  # noqa: S311 (demo data, not security)
    rows: list[list[str]] = []
    allocations = Allocation.objects.filter(trial=trial).select_related("arm").order_by("seq")
    for allocation in allocations:
        pnc = pnc_of(int(allocation.participant_key.rsplit("-", 1)[1]))
        if pnc is None:
            continue
        if rng.random() >= RATES[allocation.arm.is_intervention]:
            continue
        for n in range(1 + (rng.random() < 0.3) + (rng.random() < 0.1)):
            day = allocation.randomised_on + datetime.timedelta(days=rng.randint(5, 360))
            if day > today:
                continue
            code = rng.choices([c for c, _ in OFFENCES], [w for _, w in OFFENCES])[0]
            relation = rng.choices([r for r, _ in RELATIONSHIPS], [w for _, w in RELATIONSHIPS])[0]
            status = rng.choice(["arrest", "complaint", "charge"])
            record_id = f"DEMO-{allocation.participant_key}-{n + 1}"
            rows.append([record_id, pnc, day.isoformat(), code, relation, status])
    return rows


def demo_outcomes_load(
    *, trial: Trial, manager: User, pnc_of: Callable[[int], str | None] = demo_pnc_of
) -> DemoOutcomes:
    """Load the demo's catalogue, records source, sample extract and closed-window snapshots."""
    if not HarmIndexVersion.objects.filter(name="CCHI-2020-DA").exists():
        harm_index_load(path=SHIPPED, version="CCHI-2020-DA", by=manager)
    folder = Path(settings.VAR_DIR) / "demo-extracts" / trial.code
    folder.mkdir(parents=True, exist_ok=True)
    source = RecordSource.objects.filter(trial=trial, kind=SourceKind.FOLDER).first()
    if source is None:
        source = source_create(
            trial=trial,
            name="Records system extracts",
            kind=SourceKind.FOLDER,
            folder=str(folder),
            by=manager,
        )
    today = timezone.localdate()
    rows = _extract_rows(trial, today, pnc_of)
    if rows and not source.records.exists():
        with (folder / f"extract-{today:%Y%m%d}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        source_pull(source=source, by=manager, today=today)
    frozen = snapshots_freeze(trial=trial, today=today, by=manager)
    return DemoOutcomes(records=source.records.count(), snapshots=frozen.frozen)
