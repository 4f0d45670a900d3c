"""Property tests: any ratio, block set, strata and enrolment order keeps blocks balanced."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trial.sequence import generate_block
from trial.services import ArmSpec, allocation_claim, chain_verify

from .support import block_problems, make_trial

ratios_strategy = st.lists(st.integers(1, 3), min_size=2, max_size=4)
multipliers_strategy = st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True)


@settings(max_examples=300, deadline=None)
@given(
    ratios=ratios_strategy,
    multipliers=multipliers_strategy,
    seed=st.binary(min_size=32, max_size=32),
    number=st.integers(1, 10_000),
)
def test_every_generated_block_holds_the_arms_in_ratio(
    ratios: list[int], multipliers: list[int], seed: bytes, number: int
) -> None:
    arms = [(f"arm{i}", r) for i, r in enumerate(ratios)]
    block = generate_block(seed, number, arms, multipliers)
    size = len(block) // sum(ratios)
    assert size in multipliers
    assert Counter(block) == {code: r * size for code, r in arms}


counter = itertools.count()


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ratios=ratios_strategy,
    multipliers=multipliers_strategy,
    strata_count=st.integers(1, 3),
    enrolments=st.lists(st.integers(0, 2), min_size=1, max_size=45),
)
def test_any_enrolment_order_keeps_every_stratum_balanced(
    ratios: list[int], multipliers: list[int], strata_count: int, enrolments: list[int]
) -> None:
    code = f"P{next(counter)}"
    areas = [f"area{i}" for i in range(strata_count)]
    trial = make_trial(
        code,
        arms=[ArmSpec(f"arm{i}", f"Arm {i}", r) for i, r in enumerate(ratios)],
        factors={"area": areas},
        multipliers=multipliers,
    )
    for n, which in enumerate(enrolments, start=1):
        allocation_claim(
            trial=trial,
            participant_key=f"{code}-{n}",
            person_key=f"{code}-person-{n}",
            strata={"area": areas[which % strata_count]},
            by=None,
        )
    assert block_problems(trial) == []
    assert chain_verify(trial=trial, by=None).ok
