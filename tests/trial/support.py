"""Helpers shared by the trial tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from common.models import User
from tests.support import factories
from tests.support.factories import CARA_ARMS  # noqa: F401 - re-exported for tests
from tests.support.roles import roles_restore  # noqa: F401 - re-exported for tests
from trial.models import Allocation, Trial
from trial.services import allocation_claim


def make_trial(
    code: str = "CARA",
    *,
    factors: Mapping[str, Sequence[str]] | None = None,
    multipliers: Sequence[int] = (1, 2, 3),
    **fields: Any,
) -> Trial:
    """The trial tests' trial: stratified by area north/south unless factors say otherwise."""
    if factors is not None:
        fields["strata_factors"] = factors
    return factories.make_trial(code, block_multipliers=multipliers, **fields)


def claim(trial: Trial, n: int, area: str = "north", by: User | None = None) -> Allocation:
    return allocation_claim(
        trial=trial,
        participant_key=f"{trial.code}-{n:04d}",
        person_key=f"person-{trial.code}-{n}",
        strata={"area": area},
        by=by,
    )


def block_problems(trial: Trial) -> list[str]:
    """Check every stratum's allocations: completed blocks in ratio, running imbalance bounded."""
    problems = []
    design_ratios = {d.pk: dict(d.arm_ratios) for d in trial.designs.all()}
    multipliers = {d.pk: max(d.block_multipliers) for d in trial.designs.all()}
    rows = (
        Allocation.objects.filter(trial=trial)
        .select_related("slot", "arm", "stratum")
        .order_by("stratum_id", "slot__position")
    )
    by_stratum: dict[int, list[Allocation]] = {}
    for row in rows:
        by_stratum.setdefault(row.stratum_id, []).append(row)
    for allocations in by_stratum.values():
        design_id = allocations[0].stratum.design_id
        ratios, top = design_ratios[design_id], multipliers[design_id]
        total_ratio = sum(ratios.values())
        positions = [a.slot.position for a in allocations if a.slot is not None]
        if positions != list(range(1, len(allocations) + 1)):
            problems.append(f"stratum {design_id}: slots used out of order {positions}")
        counts = dict.fromkeys(ratios, 0)
        block: list[str] = []
        for n, allocation in enumerate(allocations, start=1):
            assert allocation.slot is not None
            counts[allocation.arm.code] += 1
            block.append(allocation.arm.code)
            for code, ratio in ratios.items():
                # In any prefix, arm share deviates at most by what the largest block allows.
                if abs(counts[code] * total_ratio - n * ratio) > top * ratio * (
                    total_ratio - ratio
                ):
                    problems.append(f"imbalance after {n}: {counts}")
            if len(block) == allocation.slot.block_size:
                multiple = len(block) // total_ratio
                if any(block.count(c) != r * multiple for c, r in ratios.items()):
                    problems.append(f"block ending at {n} not in ratio: {block}")
                block = []
    return problems
