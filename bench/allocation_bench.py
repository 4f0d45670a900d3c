"""Allocations per second through allocation_claim against bare one-row INSERT transactions.

Runs on the database named by DATABASE_URL (PostgreSQL; the script migrates it), with 1, 8 and
32 concurrent worker processes, each on its own connection. For each worker count it measures
the bare rate (one AuditEvent row per transaction, through the ORM) and the allocation rate with
the workers spread over the 4 area strata (each stratum has its own chain, so claims of different
strata run in parallel) and with every worker in one stratum (claims queue on its row), prints
the ratios, and counts anomalies: a slot used twice, a participant missing or allocated twice, a
completed block out of ratio, a chain that does not verify.

The machine is shared and a single measurement swings by a third, so each worker count runs
several rounds (bare, 4 strata, 1 stratum, in turn, fresh trials each round) and prints the
median rates, the ratio of the medians and the range of the per-round ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench DJANGO_TESTING=1 \
        .venv/bin/python bench/allocation_bench.py [--ops 1600] [--rounds 3] [--tiny]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_TESTING", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from common.models import AuditEvent  # noqa: E402
from trial.models import Allocation, Trial  # noqa: E402
from trial.services import (  # noqa: E402
    ArmSpec,
    allocation_claim,
    chain_verify,
    trial_create,
    trial_transition,
)

AREAS = ["southampton", "portsmouth", "basingstoke", "isle-of-wight"]
WORKER_COUNTS = (1, 8, 32)


def _bare(worker: int, count: int, _code: str) -> None:
    for i in range(count):
        with transaction.atomic():
            AuditEvent.objects.create(action="bench.insert", object_id=f"{worker}-{i}")


def _allocate(worker: int, count: int, code: str) -> None:
    trial = Trial.objects.get(code=code)
    # Each enrolment's area drawn independently, as cases arrive; a fixed rotation would march
    # workers w and w + 4 through the areas in step, queueing on the same stratum every time.
    draw = random.Random(worker)
    for i in range(count):
        allocation_claim(
            trial=trial,
            participant_key=f"{code}-{worker}-{i}",
            person_key=f"{code}-{worker}-{i}",
            strata={"area": draw.choice(AREAS)},
            by=None,
        )


def _allocate_one_stratum(worker: int, count: int, code: str) -> None:
    trial = Trial.objects.get(code=code)
    for i in range(count):
        allocation_claim(
            trial=trial,
            participant_key=f"{code}-{worker}-{i}",
            person_key=f"{code}-{worker}-{i}",
            strata={"area": AREAS[0]},
            by=None,
        )


JOBS = {"bare": _bare, "allocate": _allocate, "one_stratum": _allocate_one_stratum}


def _child(job: str, worker: int, count: int, code: str, barrier: Any, out: Any) -> None:
    connections.close_all()  # never share the parent's socket after fork
    connection.ensure_connection()
    barrier.wait()
    start = time.monotonic()
    JOBS[job](worker, count, code)
    out.put((start, time.monotonic()))
    connections.close_all()


def run(job: str, workers: int, total: int, code: str = "") -> float:
    """Return operations per second with this many concurrent worker processes."""
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    per = max(1, total // workers)
    connections.close_all()
    procs = [
        ctx.Process(target=_child, args=(job, w, per, code, barrier, out)) for w in range(workers)
    ]
    for p in procs:
        p.start()
    spans = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a {job} worker failed (exit {p.exitcode})")
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    return per * workers / elapsed


def anomalies(code: str, expected: int) -> list[str]:
    trial = Trial.objects.get(code=code)
    rows = list(
        Allocation.objects.filter(trial=trial)
        .select_related("slot", "arm")
        .order_by("stratum_id", "slot__position")
    )
    found = []
    slots = Counter(r.slot_id for r in rows)
    if any(n > 1 for n in slots.values()):
        found.append("slot used twice")
    if len(rows) != expected or len({r.participant_key for r in rows}) != expected:
        found.append(f"{len(rows)} allocations for {expected} participants")
    blocks: dict[tuple[int, int], list[str]] = {}
    for row in rows:
        assert row.slot is not None
        blocks.setdefault((row.stratum_id, row.slot.block_number), []).append(row.arm.code)
        if len(blocks[row.stratum_id, row.slot.block_number]) == row.slot.block_size:
            block = blocks[row.stratum_id, row.slot.block_number]
            if block.count("cara") != block.count("control"):
                found.append(f"unbalanced block {block}")
    verification = chain_verify(trial=trial, by=None)
    if not verification.ok:
        found.append(f"chain broken: {verification.message}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1600, help="operations per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per figure")
    parser.add_argument(
        "--tiny", action="store_true", help="CI's smoke size: 48 ops, 1 round, 1 and 8 workers"
    )
    args = parser.parse_args()
    ops, rounds = (48, 1) if args.tiny else (args.ops, args.rounds)
    worker_counts = (1, 8) if args.tiny else WORKER_COUNTS
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: this measures row locks.")
    call_command("migrate", verbosity=0)
    stamp = time.strftime("%H%M%S")
    print(
        f"PostgreSQL {connection.cursor().connection.info.server_version}, {ops} ops each, "
        f"{os.cpu_count()} CPUs, median of {rounds} rounds (range of the round ratios)"
    )
    print(
        f"{'workers':>7} {'bare insert/s':>14} {'4 strata/s':>11} {'ratio':>16} "
        f"{'1 stratum/s':>12} {'ratio':>16}  anomalies"
    )
    for workers in worker_counts:
        rates: dict[str, list[float]] = {job: [] for job in JOBS}
        found: list[str] = []
        for round_ in range(rounds):
            rates["bare"].append(run("bare", workers, ops))
            for job in ("allocate", "one_stratum"):
                code = f"B{stamp}W{workers}R{round_}{'S' if job == 'one_stratum' else ''}"
                trial = trial_create(
                    code=code,
                    title="Benchmark",
                    arms=[ArmSpec("cara", "CARA", 1, True), ArmSpec("control", "Control", 1)],
                    strata_factors={"area": AREAS},
                    by=None,
                )
                trial_transition(trial=trial, to_status="recruiting", by=None)
                rates[job].append(run(job, workers, ops, code))
                found += anomalies(code, max(1, ops // workers) * workers)
        bare = statistics.median(rates["bare"])
        cells = []
        for job in ("allocate", "one_stratum"):
            rate = statistics.median(rates[job])
            each = [r / b for r, b in zip(rates[job], rates["bare"], strict=True)]
            cells.append(f"{rate:>11.0f} {rate / bare:>5.2f} ({min(each):.2f}-{max(each):.2f})")
        print(
            f"{workers:>7} {bare:>14.0f} {cells[0]} {cells[1]:>29}  "
            f"{len(found)}{': ' + '; '.join(found[:3]) if found else ''}"
        )


if __name__ == "__main__":
    main()
