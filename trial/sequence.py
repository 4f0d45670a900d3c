"""Deterministic block generation from a stratum's secret seed.

The seed is 32 bytes from `secrets` (a cryptographically secure source), drawn once per stratum
and kept server-side. Each block is derived from HMAC-SHA256(seed, "block:<n>:<counter>"), so an
authorised statistician holding the seed and the design can regenerate and check the sequence
offline with nothing but the Python standard library (docs/randomisation.md).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Sequence


def _stream(seed: bytes, block_number: int) -> Iterator[int]:
    """Yield 64-bit integers derived from the seed for one block."""
    counter = 0
    while True:
        message = f"block:{block_number}:{counter}".encode()
        digest = hmac.new(seed, message, hashlib.sha256).digest()
        for i in range(0, 32, 8):
            yield int.from_bytes(digest[i : i + 8], "big")
        counter += 1


def _below(stream: Iterator[int], n: int) -> int:
    """Return an integer uniform in [0, n), rejecting draws that would bias it."""
    limit = (2**64 // n) * n
    while True:
        draw = next(stream)
        if draw < limit:
            return draw % n


def generate_block(
    seed: bytes, block_number: int, ratios: Sequence[tuple[str, int]], multipliers: Sequence[int]
) -> list[str]:
    """Return the arm codes of one permuted block: a random size, then a Fisher-Yates shuffle."""
    stream = _stream(seed, block_number)
    multiplier = multipliers[_below(stream, len(multipliers))]
    block = [code for code, ratio in ratios for _ in range(ratio * multiplier)]
    for i in range(len(block) - 1, 0, -1):
        j = _below(stream, i + 1)
        block[i], block[j] = block[j], block[i]
    return block
