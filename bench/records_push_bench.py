"""Benchmark issue 17: a 10,000-record push against the same rows through the file import.

Creates a fresh PostgreSQL database (BENCH_DATABASE_URL, default .../records_push_bench) with a
trial of 1,000 randomised people, then in each round, on new empty sources and in alternating
order (so neither side always runs on a warmer cache):
1. imports the rows as a CSV extract through a folder source (read, check, match, insert, seal);
2. pushes the same rows as JSON-shaped dicts through records_push (check, compare, match, insert);
3. pushes them again (all duplicates), the records system's retry.
Prints the medians and the ratio push / file import (aim: at most 2x).

    DJANGO_TESTING=1 .venv/bin/python bench/records_push_bench.py [--rows 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/records_push_bench")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PEOPLE = 1000
TODAY = datetime.date(2025, 6, 1)
CODES = ["105/01", "008/06", "195/94", "125/09", "008/67"]
RELATIONS = ["same_partner", "other_partner", "family", "non_domestic", "none"]


def fresh_database() -> None:
    import psycopg

    name = URL.rsplit("/", 1)[1]
    with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_trial() -> object:
    """A recruiting trial with PEOPLE randomised through the allocation service (not timed)."""
    from common.crypto import person_key
    from common.identifiers import make_pnc
    from trial.services import ArmSpec, allocation_claim, trial_create, trial_transition

    trial = trial_create(
        code="BENCH",
        title="Bench",
        by=None,
        arms=[ArmSpec("cara", "CARA", 1, True), ArmSpec("control", "Control")],
        strata_factors={},
        follow_up_months=(12,),
    )
    trial = trial_transition(trial=trial, to_status="recruiting", by=None)
    for i in range(1, PEOPLE + 1):
        allocation_claim(
            trial=trial,
            participant_key=f"BENCH-{i:06d}",
            person_key=person_key(make_pnc(14, i)),
            strata={},
            by=None,
            randomised_on=datetime.date(2023, 1, 1) + datetime.timedelta(days=i % 300),
        )
    return trial


def records(count: int) -> list[dict[str, str]]:
    """The rows a records system sends: half of the people are not in the trial."""
    from common.identifiers import make_pnc
    from outcomes.rows import COLUMNS

    rows = []
    for i in range(count):
        day = datetime.date(2023, 3, 1) + datetime.timedelta(days=i % 400)
        values = [
            f"R{i}",
            make_pnc(14, (i * 7919) % (PEOPLE * 2) + 1),
            day.isoformat(),
            CODES[i % len(CODES)],
            RELATIONS[i % len(RELATIONS)],
            "arrest",
        ]
        rows.append(dict(zip(COLUMNS, values, strict=True)))
    return rows


def file_import(trial: object, folder: Path, rows: list[dict[str, str]], name: str) -> float:
    from outcomes.rows import COLUMNS
    from outcomes.services import source_create, source_pull

    folder.mkdir()
    with (folder / "extract.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    source = source_create(trial=trial, name=name, kind="folder", folder=str(folder), by=None)  # type: ignore[arg-type]
    started = time.perf_counter()
    run = source_pull(source=source, today=TODAY).runs[0]
    seconds = time.perf_counter() - started
    assert (run.status, run.added) == ("succeeded", len(rows)), run.errors
    return seconds


def push(trial: object, folder: Path, rows: list[dict[str, str]], name: str) -> tuple[float, float]:
    """Time a push into an empty source, then the same push again (all duplicates)."""
    from outcomes.services import records_push, source_create

    folder.mkdir()
    source = source_create(trial=trial, name=name, kind="folder", folder=str(folder), by=None)  # type: ignore[arg-type]
    started = time.perf_counter()
    result = records_push(source=source, rows=rows, by=None, today=TODAY)
    first = time.perf_counter() - started
    assert result.added == len(rows), result
    started = time.perf_counter()
    again = records_push(source=source, rows=rows, by=None, today=TODAY)
    second = time.perf_counter() - started
    assert (again.added, again.duplicates) == (0, len(rows)), again
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tiny", action="store_true", help="CI's smoke size: 200 rows, 1 round")
    args = parser.parse_args()
    if args.tiny:
        args.rows, args.rounds = 200, 1

    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"PostgreSQL {URL.rsplit('@', 1)[1]}; {PEOPLE:,} participants; rows {args.rows:,}")
    started = time.perf_counter()
    trial = setup_trial()
    rows = records(args.rows)
    print(f"setup: {time.perf_counter() - started:.1f} s")

    imports: list[float] = []
    pushes: list[float] = []
    repeats: list[float] = []
    from django.conf import settings

    Path(settings.OUTCOMES_DROP_ROOT).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.OUTCOMES_DROP_ROOT) as tmp:  # where drops lie
        base = Path(tmp)
        for n in range(args.rounds):
            push_first = n % 2 == 1  # alternate which side runs first
            if push_first:
                pushed = push(trial, base / f"p{n}", rows, f"push {n}")
            imports.append(file_import(trial, base / f"f{n}", rows, f"file {n}"))
            if not push_first:
                pushed = push(trial, base / f"p{n}", rows, f"push {n}")
            pushes.append(pushed[0])
            repeats.append(pushed[1])
            print(
                f"round {n + 1}: file import {imports[-1]:.2f} s, push {pushes[-1]:.2f} s, "
                f"push again {repeats[-1]:.2f} s"
            )

    file_s, push_s = statistics.median(imports), statistics.median(pushes)
    print(f"file import of {args.rows:,} rows (median of {args.rounds}): {file_s:.2f} s")
    print(f"push of the same rows (median): {push_s:.2f} s")
    print(f"push again, all duplicates (median): {statistics.median(repeats):.2f} s")
    print(f"push / file import = {push_s / file_s:.2f}x (aim: at most 2x)")


if __name__ == "__main__":
    main()
