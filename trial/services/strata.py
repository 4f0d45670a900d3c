"""A design's strata: their keys, their secret seeds and their sequences, grown by whole blocks."""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Mapping

from common.exceptions import DomainError
from trial.models import Arm, DesignVersion, Slot, Stratum, Trial
from trial.sequence import generate_block

# Slots drawn when a stratum is made (in whole blocks, so perhaps a few more). Each extension
# then at least doubles the sequence: a stratum of n claims is extended about log2(n / 16)
# times, each time under its lock with claims of that stratum waiting, and never holds more
# than about twice the slots it used.
FIRST_SLOTS = 16
# Factor names, their values and arm codes.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")


def stratum_key(design: DesignVersion, strata: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Return the key and values of the stratum these values fall in, or refuse them with why."""
    factors: dict[str, list[str]] = {f: design.strata_factors[f] for f in design.factor_names}
    unknown = set(strata) - set(factors)
    if unknown:
        raise DomainError(
            f"{', '.join(sorted(unknown))} is not a stratification factor of this trial.",
            field="strata",
        )
    values: dict[str, str] = {}
    for factor, allowed in factors.items():
        value = strata.get(factor)
        if value is None or value == "":
            raise DomainError(f"The stratification factor {factor} is missing.", field=factor)
        if value not in allowed:
            raise DomainError(
                f"{value} is not a known value of {factor} for this trial.", field=factor
            )
        values[factor] = value
    key = "|".join(f"{f}={values[f]}" for f in factors) or "all"
    return key, values


def stratum_key_of(strata: Mapping[str, str]) -> str:
    """Return the stratum key these values would have, or "" if any is malformed.

    Only well-formed names and values are joined, so no value can smuggle in a separator; a
    key the current design lacks finds no stratum and is refused, with its reason, later.
    """
    if any(
        not isinstance(v, str) or not NAME_PATTERN.match(f) or not NAME_PATTERN.match(v)
        for f, v in strata.items()
    ):
        return ""
    return "|".join(f"{f}={strata[f]}" for f in sorted(strata)) or "all"


def strata_prepare(trial: Trial, design: DesignVersion) -> None:
    """Create every stratum of a design with its secret seed and first blocks."""
    factors: dict[str, list[str]] = {f: design.strata_factors[f] for f in design.factor_names}
    arms = {arm.code: arm for arm in trial.arms.all()}
    for combination in itertools.product(*factors.values()):
        key, values = stratum_key(design, dict(zip(factors, combination, strict=True)))
        stratum, created = Stratum.objects.get_or_create(
            design=design,
            key=key,
            defaults={"trial": trial, "values": values, "seed": secrets.token_hex(32)},
        )
        if created:
            stratum_extend(stratum, design, arms)


def stratum_extend(stratum: Stratum, design: DesignVersion, arms: dict[str, Arm]) -> None:
    """Append whole blocks to a stratum's sequence (its row is locked by the caller)."""
    seed = bytes.fromhex(stratum.seed)
    ratios = design.arm_ratios
    position = stratum.slots.count() + 1
    wanted = max(FIRST_SLOTS, position - 1)
    new: list[Slot] = []
    number = stratum.blocks_generated
    while len(new) < wanted:
        number += 1
        block = generate_block(seed, number, ratios, design.block_multipliers)
        for code in block:
            new.append(
                Slot(
                    stratum=stratum,
                    position=position,
                    block_number=number,
                    block_size=len(block),
                    arm=arms[code],
                )
            )
            position += 1
    Slot.objects.bulk_create(new)
    stratum.blocks_generated = number
    stratum.save(update_fields=["blocks_generated"])
