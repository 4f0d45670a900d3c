"""Non-parametric bootstrap of column sums, drawn as multinomial counts over distinct rows.

Resampling n rows with replacement is the same as drawing how many times each distinct row is
picked: Multinomial(n, share of each distinct row). Harm and re-offence data have few distinct
rows (most men do not re-offend), so this costs reps x distinct values instead of reps x n, the
memory stays bounded by chunking, and the result does not depend on the order of the rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from common.exceptions import DomainError

DEFAULT_REPS = 2000
DEFAULT_SEED = 20160701  # recorded in every result; any fixed value reproduces the same CIs
MIN_REPS = 1000  # fewer resamples leave the 2.5th/97.5th percentiles to chance
_CHUNK_CELLS = 2_000_000  # reps x distinct rows drawn at once: about 16 MB of counts


def resampled_sums(
    *, columns: npt.NDArray[np.float64], reps: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Return a (reps, k) array: column sums of `reps` bootstrap resamples of the (n, k) rows."""
    n = columns.shape[0]
    if n == 0:
        return np.zeros((reps, columns.shape[1]))
    distinct, counts = np.unique(columns, axis=0, return_counts=True)
    shares = counts / n
    chunk = max(1, _CHUNK_CELLS // len(distinct))
    out = np.empty((reps, columns.shape[1]))
    for start in range(0, reps, chunk):
        size = min(chunk, reps - start)
        picks = rng.multinomial(n, shares, size=size)
        out[start : start + size] = picks @ distinct
    return out


def percentile_ci(values: npt.NDArray[np.float64]) -> list[float | None]:
    """Return the 2.5th and 97.5th percentiles of the finite bootstrap values."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [None, None]
    lo, hi = np.percentile(finite, [2.5, 97.5])
    return [float(lo), float(hi)]


def validate_reps(reps: int) -> None:
    """Refuse a number of bootstrap resamples too small for a percentile interval."""
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < MIN_REPS:
        raise DomainError(
            f"The bootstrap needs at least {MIN_REPS} resamples, not {reps!r}.",
            code="invalid_reps",
        )
