"""Benchmark issue 6: import 100,000 re-offence rows and freeze 100,000 12-month snapshots.

Creates a fresh PostgreSQL database (BENCH_DATABASE_URL, default .../followup_bench), then:
1. imports a 100,000-row CSV extract through the folder source (parse, validate, hash, encrypt,
   match, de-duplicate, insert) and times it;
2. in the same run, times PostgreSQL's COPY of the same rows (already prepared, into a copy of the
   table) and prints the ratio;
3. measures the import's peak Python memory (tracemalloc) at two file sizes, to show it is flat;
4. freezes the 12-month snapshots of 100,000 participants and times it.

    DJANGO_TESTING=1 .venv/bin/python bench/followup_bench.py [--rows 100000] [--small 20000]
        [--tiny]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/followup_bench")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def fresh_database() -> None:
    import psycopg

    name = URL.rsplit("/", 1)[1]
    with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_trial(people: int) -> object:
    """A trial with `people` allocations, made in bulk (the allocation service is not timed)."""
    from django.utils import timezone

    from common.crypto import person_key
    from common.identifiers import make_pnc
    from trial.models import Allocation, Slot, Stratum
    from trial.selectors import current_design
    from trial.services import ArmSpec, trial_create, trial_transition

    trial = trial_create(
        code="BENCH",
        title="Bench",
        by=None,
        arms=[ArmSpec("cara", "CARA", 1, True), ArmSpec("control", "Control")],
        strata_factors={},
        follow_up_months=(12,),
    )
    trial = trial_transition(trial=trial, to_status="recruiting", by=None)
    arms = list(trial.arms.all())
    # Going live created the one stratum ("all") with its first blocks: extend it to `people`
    # one-slot blocks past those, rather than create it again.
    stratum = Stratum.objects.get(trial=trial, design=current_design(trial), key="all")
    have = stratum.slots.count()
    Slot.objects.bulk_create(
        Slot(stratum=stratum, position=i, block_number=i, block_size=1, arm=arms[i % 2])
        for i in range(have + 1, people + 1)
    )
    slots = {pos: (pk, arm) for pos, pk, arm in stratum.slots.values_list("position", "id", "arm")}
    now, start = timezone.now(), datetime.date(2023, 1, 1)
    Allocation.objects.bulk_create(
        (
            Allocation(
                trial=trial,
                seq=i,
                participant_key=f"BENCH-{i:06d}",
                person_key=person_key(make_pnc(14, i)),
                stratum=stratum,
                slot_id=slots[i][0],
                arm_id=slots[i][1],
                randomised_on=start + datetime.timedelta(days=i % 300),
                allocated_at=now,
                prev_hash="0" * 64,
                row_hash="0" * 64,
            )
            for i in range(1, people + 1)
        ),
        batch_size=5000,
    )
    return trial


CODES = ["105/01", "008/06", "195/94", "125/09", "149/00-other", "008/67"]
RELATIONS = ["same_partner", "other_partner", "family", "non_domestic", "none"]


def write_extract(path: Path, rows: int, people: int, prefix: str) -> Path:
    from common.identifiers import make_pnc

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "record_id",
                "person_id",
                "offence_date",
                "offence_code",
                "victim_relationship",
                "record_status",
            ]
        )
        for i in range(rows):
            person = (i * 7919) % (people * 2) + 1  # half of them are not in the trial
            day = datetime.date(2023, 3, 1) + datetime.timedelta(days=i % 400)
            writer.writerow(
                [
                    f"{prefix}{i}",
                    make_pnc(14, person),
                    day.isoformat(),
                    CODES[i % 6],
                    RELATIONS[i % 5],
                    "arrest",
                ]
            )
    return path


def import_once(trial: object, folder: Path, name: str) -> tuple[float, object]:
    from outcomes.services import source_create, source_pull

    source = source_create(trial=trial, name=name, kind="folder", folder=str(folder), by=None)  # type: ignore[arg-type]
    started = time.perf_counter()
    run = source_pull(source=source, today=datetime.date(2025, 6, 1)).runs[0]
    return time.perf_counter() - started, run


def copy_same_rows(run_id: int) -> float:
    """Time COPY of the imported rows, as stored, into an empty table shaped like the real one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copy_target (LIKE outcomes_reoffencerecord INCLUDING ALL)"
        )
        cursor.execute("SELECT * FROM outcomes_reoffencerecord WHERE import_run_id = %s", [run_id])
        columns = [c.name for c in cursor.description]
        rows = cursor.fetchall()
    raw = connection.connection
    started = time.perf_counter()
    with raw.cursor() as cur, cur.copy(f"COPY copy_target ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
    raw.commit()
    return time.perf_counter() - started


def traced(fn: Callable[..., T], *args: object) -> tuple[T, int]:
    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--tiny", action="store_true", help="CI's smoke size: 400 rows, 200 men")
    args = parser.parse_args()
    if args.tiny:
        args.rows, args.small, args.people = 400, 200, 200

    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from outcomes.services import snapshots_freeze

    print(f"PostgreSQL {URL.rsplit('@', 1)[1]}; {args.people:,} participants; rows {args.rows:,}")
    started = time.perf_counter()
    trial = setup_trial(args.people)
    print(f"setup: {time.perf_counter() - started:.1f} s")

    from django.conf import settings

    # A folder source must lie under the drop root (outcomes/sources/address.py).
    Path(settings.OUTCOMES_DROP_ROOT).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.OUTCOMES_DROP_ROOT) as tmp:
        base = Path(tmp)
        folders = {}
        for label, rows in (("big", args.rows), ("mem-small", args.small), ("mem-big", args.rows)):
            folder = base / label
            folder.mkdir()
            write_extract(folder / "extract.csv", rows, args.people, prefix=f"{label}-")
            folders[label] = folder

        seconds, run = import_once(trial, folders["big"], "timed")
        assert run.status == "succeeded", run.errors  # type: ignore[attr-defined]
        copy_seconds = copy_same_rows(run.pk)  # type: ignore[attr-defined]
        rate = args.rows / seconds
        print(
            f"import {args.rows:,} rows: {seconds:.2f} s = {rate:,.0f} rows/s "
            f"(added {run.added:,}, unmatched {run.unmatched:,})"  # type: ignore[attr-defined]
        )
        print(
            f"COPY of the same rows: {copy_seconds:.2f} s; import / COPY = "
            f"{seconds / copy_seconds:.1f}x (aim: within 5x)"
        )

        (_, small_run), small_peak = traced(import_once, trial, folders["mem-small"], "m1")
        (_, big_run), big_peak = traced(import_once, trial, folders["mem-big"], "m2")
        assert small_run.added == args.small, small_run.errors  # type: ignore[attr-defined]
        assert big_run.added == args.rows, big_run.errors  # type: ignore[attr-defined]
        print(
            f"peak Python memory of an import (tracemalloc): {args.small:,} rows "
            f"{small_peak / 2**20:.1f} MiB; {args.rows:,} rows {big_peak / 2**20:.1f} MiB "
            f"(ratio {big_peak / small_peak:.2f} for {args.rows / args.small:.0f}x the rows)"
        )

    started = time.perf_counter()
    frozen = snapshots_freeze(trial=trial, today=datetime.date(2025, 6, 1))  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    print(
        f"freeze 12-month windows: {frozen.frozen:,} snapshots in {seconds:.1f} s = "
        f"{frozen.frozen / seconds:,.0f} per second (blocked {frozen.blocked})"
    )
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
