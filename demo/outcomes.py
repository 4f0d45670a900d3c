"""Demo follow-up: a folder source with a sample extract of believable re-offences, then snapshots.

The records come from a fixed-seed plan, so the demo tells the published CARA story every time:
about 20% of control and 13% of CARA participants re-offend within a year, and the mean harm
lands near the trial's 11.6 vs 8.4 CCHI days per offender (Strang et al. 2017). Each arm's plan
is laid out by the participant's rank in the arm (order of randomisation): in every run of 15
ranks, a fixed number re-offend (3 control, 2 CARA), and re-offenders take, in turn, bundles of
offences from the shipped catalogue (common assault, ABH, harassment, criminal damage, public
order, breaches, now and then s20 wounding, coercive control or stalking), shuffled with a fixed
seed. Which man lands in which arm is the randomisation engine's secret, so the plan is keyed by
rank and not by man: the arms' figures are the same whoever was allocated where, and the same
allocations always give the same records.

Records are written as a CSV extract into the source's drop folder and pulled through the normal
import, so the demo exercises the real pipeline, and its files end sealed like real ones. Safe to
run again: records are unique per source record id, and snapshots per participant and window.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from common.crypto import private_dir, private_open
from common.models import User
from outcomes.selectors import COLUMNS, SourceKind, harm_index_loaded, trial_sources
from outcomes.services import harm_index_load, snapshots_freeze, source_create, source_pull
from trial.selectors import allocations

if TYPE_CHECKING:
    from trial.models import Trial

SEED = 20170401  # fixed: every demo load tells the same story
RANK_BLOCK = 15
# Re-offenders per run of RANK_BLOCK ranks: control 3 of 15 (20%), CARA 2 of 15 (13%).
REOFFENDERS = {True: 2, False: 3}  # keyed by "intervention arm?"
# Bundles of offences (shipped catalogue codes; CCHI 2020 days in the comments) that one
# re-offender commits in the year, handed out in this order, again from the top after the last.
# Most are low-harm; a few serious ones carry most of the harm, as in the trial, and come early
# in the list so that any ~80 participants of an arm include them. Both arms average about 60
# days per re-offender (as the trial's did); the arms differ in how many re-offend.
BUNDLES: dict[bool, list[list[str]]] = {
    True: [  # CARA: 10 bundles, 601 days
        ["105/01", "149/00-other"],  # common assault 1 + criminal damage 1
        ["008/06"],  # ABH 10
        ["008/67", "008/67", "008/06"],  # coercive control 84 x 2 + ABH 10 = 178
        ["125/09", "105/01"],  # s4A public order 3 + common assault 1
        ["008/01-minor", "105/01", "066/39"],  # s20 (minor) 19 + 1 + breach of non-mol. order 5
        ["105/01"],  # 1
        ["008/66", "008/65", "195/94", "105/01"],  # stalking 252 + 84, harassment 10, 1 = 347
        ["125/11", "058/00-other"],  # s4 public order 5 + criminal damage 2
        ["003/01", "105/01", "149/00-other"],  # threats to kill 10 + 1 + 1
        ["008/06", "008/31"],  # ABH 10 + breach of restraining order 5
    ],
    False: [  # control: 15 bundles, 900 days
        ["105/01"],  # 1
        ["008/65", "008/31"],  # stalking (fear of violence) 84 + breach 5 = 89
        ["008/06"],  # 10
        ["125/09", "105/01"],  # 4
        ["008/66", "195/94", "125/09"],  # stalking (serious alarm) 252 + 10 + 3 = 265
        ["195/94", "125/12"],  # harassment 10 + s5 public order 1
        ["008/31"],  # 5
        ["008/67", "008/67", "008/06"],  # coercive control 84 x 2 + ABH 10 = 178
        ["105/01", "149/00-other"],  # 2
        ["008/01-minor"],  # s20 (minor) 19
        ["125/11", "058/00-other"],  # 7
        ["008/66", "008/31"],  # stalking 252 + breach 5 = 257
        ["003/01", "105/01", "149/00-other"],  # 12
        ["008/06", "008/31"],  # 15
        ["008/01-minor", "105/01", "066/39"],  # 25
    ],
}
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


@dataclass(frozen=True)
class PlannedOffence:
    day: int  # days after randomisation, inside the 12-month window
    code: str
    relationship: str
    status: str


def arm_plan(
    *, trial_code: str, arm_code: str, intervention: bool, ranks: int
) -> list[list[PlannedOffence]]:
    """Return each rank's offences in an arm (empty: did not re-offend); the same every time."""
    rng = random.Random(f"{SEED}-{trial_code}-{arm_code}")  # noqa: S311 (demo data, not security)
    pool = BUNDLES[intervention]
    plan: list[list[PlannedOffence]] = []
    reoffenders = 0
    for start in range(0, ranks, RANK_BLOCK):
        chosen = set(rng.sample(range(RANK_BLOCK), REOFFENDERS[intervention]))
        for position in range(min(RANK_BLOCK, ranks - start)):
            if position not in chosen:
                plan.append([])
                continue
            bundle = pool[reoffenders % len(pool)]
            reoffenders += 1
            first = rng.randint(10, 300)
            days = sorted([first, *(rng.randint(first, 360) for _ in bundle[1:])])
            plan.append(
                [
                    PlannedOffence(
                        day=day,
                        code=code,
                        relationship=rng.choices(
                            [r for r, _ in RELATIONSHIPS], [w for _, w in RELATIONSHIPS]
                        )[0],
                        status=rng.choice(["arrest", "complaint", "charge"]),
                    )
                    for day, code in zip(days, bundle, strict=True)
                ]
            )
    return plan


def _extract_rows(
    trial: Trial, today: datetime.date, pnc_of: Callable[[int], str | None]
) -> list[list[str]]:
    randomised = list(allocations(trial=trial).order_by("randomised_on", "seq"))
    rows: list[list[str]] = []
    for arm in {a.arm for a in randomised}:
        mine = [a for a in randomised if a.arm_id == arm.pk]
        plan = arm_plan(
            trial_code=trial.code,
            arm_code=arm.code,
            intervention=arm.is_intervention,
            ranks=len(mine),
        )
        for allocation, offences in zip(mine, plan, strict=True):
            pnc = pnc_of(int(allocation.participant_key.rsplit("-", 1)[1]))
            if pnc is None:
                continue
            for n, offence in enumerate(offences, start=1):
                day = allocation.randomised_on + datetime.timedelta(days=offence.day)
                if day > today:
                    continue
                record_id = f"DEMO-{allocation.participant_key}-{n}"
                row = [record_id, pnc, day.isoformat(), offence.code, offence.relationship]
                rows.append([*row, offence.status])
    return sorted(rows)


def demo_outcomes_load(
    *, trial: Trial, manager: User, pnc_of: Callable[[int], str | None] = demo_pnc_of
) -> DemoOutcomes:
    """Load the demo's catalogue, records source, sample extract and closed-window snapshots."""
    if not harm_index_loaded("CCHI-2020-DA"):
        harm_index_load(path=SHIPPED, version="CCHI-2020-DA", by=manager)
    folder = private_dir(Path(settings.OUTCOMES_DROP_ROOT) / trial.code)
    source = trial_sources(trial=trial, kind=SourceKind.FOLDER).first()
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
        # Dropped in clear, 0600, as the records system would; the pull seals it into imported/
        # and removes it, so no demo PNC ID stays on disk in clear.
        extract = folder / f"extract-{today:%Y%m%d}.csv"
        extract.unlink(missing_ok=True)  # an earlier load stopped before its pull
        with io.TextIOWrapper(private_open(extract), encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
        source_pull(source=source, by=manager, today=today)
    frozen = snapshots_freeze(trial=trial, today=today, by=manager)
    return DemoOutcomes(records=source.records.count(), snapshots=frozen.frozen)
