"""Many officers pressing the button at once: each thread has its own database connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from common.exceptions import ConflictError, NotAllowedError
from tests.support.threads import run_at_once
from trial.models import Allocation, Slot
from trial.services import allocation_claim, chain_verify, trial_transition

from .support import block_problems, make_trial

THREADS = 32


@pytest.mark.django_db(transaction=True)
def test_thirty_two_concurrent_enrolments_each_get_one_slot_and_the_chain_holds() -> None:
    trial = make_trial(factors={"area": ["north", "south", "east"]})
    areas = ["north", "south", "east"]

    def job(i: int) -> Callable[[], Any]:
        return lambda: allocation_claim(
            trial=trial,
            participant_key=f"CARA-{i:04d}",
            person_key=f"person-{i}",
            strata={"area": areas[i % 3]},
            by=None,
        )

    results = run_at_once([job(i) for i in range(THREADS)])
    assert [r for r in results if isinstance(r, Exception)] == []
    allocations = list(Allocation.objects.filter(trial=trial))
    assert sorted(a.participant_key for a in allocations) == [
        f"CARA-{i:04d}" for i in range(THREADS)
    ]
    slot_ids = [a.slot_id for a in allocations if a.slot_id is not None]
    assert len(set(slot_ids)) == THREADS
    assert Slot.objects.filter(pk__in=slot_ids).count() == THREADS
    # Each stratum's chain runs 1..n without a gap; together they hold every allocation.
    per_area: dict[str, list[int]] = {}
    for a in Allocation.objects.filter(trial=trial).select_related("stratum"):
        per_area.setdefault(a.stratum.key, []).append(a.seq)
    assert {key: sorted(seqs) for key, seqs in per_area.items()} == {
        f"area={area}": list(range(1, 1 + sum(1 for i in range(THREADS) if areas[i % 3] == area)))
        for area in areas
    }
    assert block_problems(trial) == []
    verification = chain_verify(trial=trial, by=None)
    assert verification.ok, verification.message
    assert verification.rows_checked == THREADS
    # Times are read once the stratum is locked: along each chain they never go backwards.
    for key in per_area:
        times = list(
            Allocation.objects.filter(trial=trial, stratum__key=key)
            .order_by("seq")
            .values_list("allocated_at", flat=True)
        )
        assert times == sorted(times), key


@pytest.mark.django_db(transaction=True)
def test_two_officers_randomising_the_same_man_get_one_allocation_and_one_refusal() -> None:
    trial = make_trial()

    def job() -> Any:
        return allocation_claim(
            trial=trial,
            participant_key="CARA-0001",
            person_key="person-1",
            strata={"area": "north"},
            by=None,
        )

    results = run_at_once([job, job])
    won = [r for r in results if isinstance(r, Allocation)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1
    assert len(refused) == 1
    assert refused[0].message == "CARA-0001 has already been randomised."
    assert Allocation.objects.filter(trial=trial).count() == 1
    assert chain_verify(trial=trial, by=None).ok


@pytest.mark.django_db(transaction=True)
def test_a_status_change_waits_for_a_claim_in_flight_and_later_claims_see_it() -> None:
    trial = make_trial()
    claimed, release = threading.Event(), threading.Event()
    done: list[str] = []

    def slow_claim() -> Any:
        # The enrolment's transaction stays open after the claim, as participant_enrol's does.
        with transaction.atomic():
            allocation = allocation_claim(
                trial=trial,
                participant_key="CARA-0001",
                person_key="person-1",
                strata={"area": "north"},
                by=None,
            )
            claimed.set()
            release.wait(timeout=30)
            done.append("claim committed")
        return allocation

    def close() -> Any:
        claimed.wait(timeout=30)
        closed = trial_transition(trial=trial, to_status="recruitment_closed", by=None)
        done.append("recruitment closed")
        return closed

    def let_go() -> None:
        claimed.wait(timeout=30)
        time.sleep(0.5)  # long enough for the status change to reach the trial row and wait
        done.append("released")
        release.set()

    results = run_at_once([slow_claim, close, let_go])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert done == ["released", "claim committed", "recruitment closed"]
    with pytest.raises(NotAllowedError, match="not recruiting"):
        allocation_claim(
            trial=trial,
            participant_key="CARA-0002",
            person_key="person-2",
            strata={"area": "south"},
            by=None,
        )
    assert chain_verify(trial=trial, by=None).ok
