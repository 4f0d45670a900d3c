"""Randomisation inference for the primary harm estimand: re-randomise as the trial did.

Each draw re-allocates the analysed participants with the trial's own scheme (permuted blocks per
stratum, in order of randomisation) and recomputes the difference in mean harm. A draw is kept as
three numbers (treated sum of harm, treated count, treated men who were treated in fact), which is
all the shift model needs, so the interval re-uses the same draws for every candidate effect.
Blocks are drawn as whole patterns, so the cost is draws x blocks, not draws x participants.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from common.exceptions import DomainError

DEFAULT_DRAWS = 10_000
MIN_DRAWS = 1000
ALPHA = 0.05
_CHUNK_CELLS = 500_000  # draws x blocks drawn at once: small enough to stay in cache
_GRID = 201
_BISECTIONS = 40


@dataclass(frozen=True, slots=True)
class Draws:
    """The per-draw sufficient statistics of the re-randomised allocations."""

    sum_treated: npt.NDArray[np.float64]
    n_treated: npt.NDArray[np.float64]
    overlap: npt.NDArray[np.float64]  # re-allocated to treatment and treated in fact


def block_patterns(*, size: int, treated: int) -> npt.NDArray[np.bool_]:
    """Return every arrangement of `treated` treatments in a block of `size`, one per row."""
    rows = []
    for chosen in itertools.combinations(range(size), treated):
        row = np.zeros(size, dtype=bool)
        row[list(chosen)] = True
        rows.append(row)
    return np.array(rows, dtype=bool).reshape(-1, size)


def two_arm_blocks(
    *, block_sizes: list[int], ratios: dict[str, int], treated_arm: str, control_arm: str
) -> list[tuple[int, int]] | None:
    """Return (size, treated) of each block restricted to the two arms, or None if not whole."""
    total = sum(ratios.values())
    r_t, r_c = ratios.get(treated_arm, 0), ratios.get(control_arm, 0)
    if not block_sizes or total <= 0 or r_t <= 0 or r_c <= 0:
        return None
    out = []
    for size in block_sizes:
        if size <= 0 or size % total:
            return None
        multiple = size // total
        out.append((multiple * (r_t + r_c), multiple * r_t))
    return out


def _stratum_block_draws(
    *,
    y: npt.NDArray[np.float64],
    treated: npt.NDArray[np.float64],
    blocks: list[tuple[int, int]],
    draws: int,
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.float64], ...]:
    """Return the three per-draw sums for one stratum's members (in randomisation order)."""
    m = y.size
    sizes = np.array([b for b, _ in blocks])
    patterns = [block_patterns(size=b, treated=t) for b, t in blocks]
    widest = int(sizes.max())
    table = np.zeros((sum(len(p) for p in patterns), widest))
    first = np.cumsum([0] + [len(p) for p in patterns])[:-1]
    for offset, p in zip(first, patterns, strict=True):
        table[offset : offset + len(p), : p.shape[1]] = p
    # What a pattern starting at position s contributes: its treated positions' harm, count and
    # men treated in fact, cut at the stratum's end (the last block runs past the last man).
    columns = np.stack([y, np.ones(m), treated], axis=1)
    padded = np.vstack([columns, np.zeros((widest, 3))])
    window = np.lib.stride_tricks.sliding_window_view(padded, widest, axis=0)[: m + 1]
    # Laid out by start then pattern: a draw's blocks start in increasing order, so its look-ups
    # walk forward through memory instead of jumping across the whole table.
    contrib = np.einsum("pw,skw->ksp", table, window).reshape(3, -1)  # k, (start, pattern)
    counts = np.array([len(p) for p in patterns])
    # Enough blocks to cover the stratum in nearly every draw (mean plus six SDs of the count);
    # the rare draw left short gets more blocks drawn after its own, so no draw is censored.
    mean, sd = float(sizes.mean()), float(sizes.std())
    expected = m / mean
    n_blocks = math.ceil(expected + 6 * math.sqrt(expected) * sd / mean) + 2
    out = [np.empty(draws) for _ in range(3)]
    chunk = max(1, _CHUNK_CELLS // n_blocks)
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        totals = np.zeros((3, size))
        reached = np.zeros(size, dtype=np.int64)  # position where each draw's next block starts
        while True:
            # One uniform picks the block size (integer part) and its pattern (fractional part).
            u = rng.random((size, n_blocks)) * len(sizes)
            kind = u.astype(np.intp)
            length = np.take(sizes, kind)
            starts = np.cumsum(length, axis=1) - length + reached[:, None]
            pattern = np.take(first, kind) + ((u - kind) * np.take(counts, kind)).astype(np.intp)
            reached = starts[:, -1] + length[:, -1]
            np.minimum(starts, m, out=starts)  # blocks wholly past the end contribute nothing
            flat = starts * len(table) + pattern
            for k in range(3):
                totals[k] += np.take(contrib[k], flat).sum(axis=1)
            if reached.min() >= m:
                break
        for k in range(3):
            out[k][start : start + size] = totals[k]
    return tuple(out)


def _stratum_permutation_draws(
    *,
    y: npt.NDArray[np.float64],
    treated: npt.NDArray[np.float64],
    draws: int,
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.float64], ...]:
    """Return the three per-draw sums when the stratum's arm labels are simply permuted."""
    m, t = y.size, int(treated.sum())
    out = [np.empty(draws) for _ in range(3)]
    chunk = max(1, _CHUNK_CELLS // max(m, 1))
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        picks = rng.permuted(np.tile(np.arange(m), (size, 1)), axis=1)[:, :t]
        out[0][start : start + size] = y[picks].sum(axis=1)
        out[1][start : start + size] = t
        out[2][start : start + size] = treated[picks].sum(axis=1)
    return tuple(out)


def rerandomise(
    *,
    y: npt.NDArray[np.float64],
    treated: npt.NDArray[np.bool_],
    strata: npt.NDArray[Any],
    order: npt.NDArray[np.int64],
    blocks: list[tuple[int, int]] | None,
    draws: int,
    seed: int,
) -> Draws:
    """Return the draws; `order` ranks participants by randomisation, `blocks` None permutes."""
    rng = np.random.default_rng(seed)
    totals = [np.zeros(draws) for _ in range(3)]
    for stratum in sorted(set(strata.tolist())):
        members = np.flatnonzero(strata == stratum)
        members = members[np.argsort(order[members], kind="stable")]
        ys, ts = y[members], treated[members].astype(float)
        if blocks is None:
            parts = _stratum_permutation_draws(y=ys, treated=ts, draws=draws, rng=rng)
        else:
            parts = _stratum_block_draws(y=ys, treated=ts, blocks=blocks, draws=draws, rng=rng)
        for total, part in zip(totals, parts, strict=True):
            total += part
    return Draws(sum_treated=totals[0], n_treated=totals[1], overlap=totals[2])


def _p_values(
    *, found: Draws, y: npt.NDArray[np.float64], treated: npt.NDArray[np.bool_], deltas: Any
) -> npt.NDArray[np.float64]:
    """Return the two-sided p-value of each shift `delta` (treated outcomes = control + delta)."""
    deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
    n, n1 = y.size, float(treated.sum())
    total, observed_sum = float(y.sum()), float(y[treated].sum())
    observed = observed_sum / n1 - (total - observed_sum) / (n - n1) - deltas
    d = deltas[None, :]
    s_t = found.sum_treated[:, None] - d * found.overlap[:, None]
    n_t = found.n_treated[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = s_t / n_t - (total - d * n1 - s_t) / (n - n_t)
    limit = np.abs(observed) * (1 - 1e-9) - 1e-12  # the observed allocation counts as extreme
    extreme = (np.abs(stat) >= limit[None, :]).sum(axis=0)
    return np.asarray((1 + extreme) / (1 + found.sum_treated.size), dtype=float)


def _bound(*, accept: float, reject: float, p_of: Any) -> float:
    """Bisect between an accepted and a rejected shift for the edge of the interval."""
    for _ in range(_BISECTIONS):
        middle = (accept + reject) / 2
        if p_of(middle) >= ALPHA:
            accept = middle
        else:
            reject = middle
    return accept


def inverted_ci(
    *, found: Draws, y: npt.NDArray[np.float64], treated: npt.NDArray[np.bool_]
) -> list[float | None]:
    """Return the shifts not rejected at 5%: the 95% CI by inverting the test."""
    n1 = int(treated.sum())
    yi, yc = y[treated], y[~treated]
    estimate = float(yi.mean() - yc.mean())
    spread = math.sqrt(yi.var() / max(n1, 1) + yc.var() / max(y.size - n1, 1))
    half = 8 * max(spread, float(y.std()), 1.0)

    def p_of(delta: float) -> float:
        return float(_p_values(found=found, y=y, treated=treated, deltas=delta)[0])

    grid = np.linspace(estimate - half, estimate + half, _GRID)
    accepted = np.flatnonzero(_p_values(found=found, y=y, treated=treated, deltas=grid) >= ALPHA)
    if accepted.size == 0 or accepted[0] == 0 or accepted[-1] == _GRID - 1:
        return [None, None]  # no effect, or no finite edge, is rejected in range
    lo, hi = int(accepted[0]), int(accepted[-1])
    return [
        _bound(accept=float(grid[lo]), reject=float(grid[lo - 1]), p_of=p_of),
        _bound(accept=float(grid[hi]), reject=float(grid[hi + 1]), p_of=p_of),
    ]


def randomisation_inference(
    *,
    y: npt.NDArray[np.float64],
    treated: npt.NDArray[np.bool_],
    strata: npt.NDArray[Any],
    order: npt.NDArray[np.int64],
    blocks: list[tuple[int, int]] | None,
    draws: int = DEFAULT_DRAWS,
    seed: int,
) -> dict[str, Any]:
    """Return the randomisation-inference p, its Monte Carlo SE and the inverted 95% CI."""
    validate_draws(draws)
    found = rerandomise(
        y=y, treated=treated, strata=strata, order=order, blocks=blocks, draws=draws, seed=seed
    )
    p = float(_p_values(found=found, y=y, treated=treated, deltas=0.0)[0])
    scheme = (
        "permuted blocks within strata, in order of randomisation"
        if blocks is not None
        else "arm labels permuted within strata (block sizes not known)"
    )
    return {
        "statistic": "difference in mean CCHI days (intervention - control)",
        "estimate": float(y[treated].mean() - y[~treated].mean()),
        "p_value": p,
        "p_value_mc_se": math.sqrt(p * (1 - p) / draws),
        "ci95": inverted_ci(found=found, y=y, treated=treated),
        "ci_method": "test inversion under a constant shift, the same draws for every shift",
        "draws": draws,
        "seed": seed,
        "scheme": scheme,
    }


def validate_draws(draws: int) -> None:
    """Refuse a number of draws too small for a p-value to mean anything."""
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < MIN_DRAWS:
        raise DomainError(
            f"Randomisation inference needs at least {MIN_DRAWS} draws, not {draws!r}.",
            code="invalid_draws",
        )


def fits_block_scheme(
    *,
    treated: npt.NDArray[np.bool_],
    strata: npt.NDArray[Any],
    order: npt.NDArray[np.int64],
    blocks: list[tuple[int, int]],
) -> bool:
    """Return whether permuted blocks could have produced the recorded allocations."""
    share = blocks[0][1] / blocks[0][0]  # every block holds the arms in the same proportion
    widest = max(size for size, _ in blocks)
    # Within a block the running excess of treated over its share never exceeds a block's worth.
    limit = widest * max(share, 1 - share) + 1e-9
    for stratum in set(strata.tolist()):
        members = np.flatnonzero(strata == stratum)
        members = members[np.argsort(order[members], kind="stable")]
        running = np.cumsum(treated[members]) - share * np.arange(1, members.size + 1)
        if np.abs(running).max() > limit:
            return False
    return True
