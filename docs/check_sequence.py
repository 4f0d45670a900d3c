#!/usr/bin/env python3
"""Regenerate a trial's randomisation blocks from its seeds and compare them with an export.

Standard library only, so a statistician can run it anywhere:

    python3 check_sequence.py CARA-sequence.json

The export comes from the trial's "Stored sequence" page or `manage.py export_sequence`.
Exit status 0 when every stored slot matches its regenerated block and every block holds the
arms in the design's ratio; 1 otherwise. The algorithm is described in docs/randomisation.md and
mirrors trial/sequence.py (a test checks that the two agree).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence

ALGORITHM = "hmac-sha256-permuted-blocks-v1"


def stream(seed: bytes, block_number: int) -> Iterator[int]:
    """64-bit integers from HMAC-SHA256(seed, "block:<n>:<counter>"), 4 per digest."""
    counter = 0
    while True:
        digest = hmac.new(seed, f"block:{block_number}:{counter}".encode(), hashlib.sha256).digest()
        for i in range(0, 32, 8):
            yield int.from_bytes(digest[i : i + 8], "big")
        counter += 1


def below(draws: Iterator[int], n: int) -> int:
    """Uniform integer in [0, n): draws at or above the largest multiple of n are rejected."""
    limit = (2**64 // n) * n
    while True:
        draw = next(draws)
        if draw < limit:
            return draw % n


def block(
    seed: bytes, number: int, ratios: Sequence[tuple[str, int]], multipliers: Sequence[int]
) -> list[str]:
    """One block: pick its multiplier, lay arms out in code order, Fisher-Yates shuffle."""
    draws = stream(seed, number)
    multiplier = multipliers[below(draws, len(multipliers))]
    arms = [code for code, ratio in ratios for _ in range(ratio * multiplier)]
    for i in range(len(arms) - 1, 0, -1):
        j = below(draws, i + 1)
        arms[i], arms[j] = arms[j], arms[i]
    return arms


def check(export: dict) -> list[str]:
    """Return the problems found (empty when the export checks out)."""
    problems: list[str] = []
    if export.get("algorithm") != ALGORITHM:
        return [f"unknown algorithm {export.get('algorithm')!r}; this script checks {ALGORITHM}"]
    for design in export["designs"]:
        ratios = [(code, int(ratio)) for code, ratio in design["ratios"]]
        multipliers = [int(m) for m in design["block_multipliers"]]
        for stratum in design["strata"]:
            where = f"design v{design['number']} stratum {stratum['key']}"
            seed = bytes.fromhex(stratum["seed"])
            expected: list[tuple[int, int, str]] = []
            for number in range(1, stratum["blocks_generated"] + 1):
                arms = block(seed, number, ratios, multipliers)
                counts = Counter(arms)
                size = len(arms) // sum(r for _, r in ratios)
                if any(counts[code] != ratio * size for code, ratio in ratios):
                    problems.append(f"{where}: block {number} is not in the design's ratio")
                start = len(expected) + 1
                expected += [(start + i, number, arm) for i, arm in enumerate(arms)]
            stored = [tuple(slot) for slot in stratum["slots"]]
            if len(stored) != len(expected):
                problems.append(f"{where}: {len(stored)} stored slots, {len(expected)} regenerated")
            for got, want in zip(stored, expected, strict=False):
                if list(got) != list(want):
                    stored_as, regenerated = list(got), list(want)
                    problems.append(
                        f"{where}: position {want[0]} stored as {stored_as}, "
                        f"regenerated {regenerated}"
                    )
                    break
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} EXPORT.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        export = json.load(handle)
    problems = check(export)
    strata = sum(len(d["strata"]) for d in export["designs"])
    if problems:
        for problem in problems:
            print("MISMATCH", problem)
        return 1
    print(f"OK {export['trial']}: {strata} strata regenerated from their seeds match the export")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
