"""Intervals the plain Wald tables lack: ratio of mean harm (delta method) and Newcombe's RD."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from reports.analysis.effects import Z95


def ratio_of_means(
    *, intervention: npt.NDArray[np.float64], control: npt.NDArray[np.float64]
) -> dict[str, Any]:
    """Return mean(intervention) / mean(control) with a delta-method 95% CI on the log scale."""
    out: dict[str, Any] = {
        "ratio": None,
        "ratio_ci95": [None, None],
        "relative_reduction": None,
        "relative_reduction_ci95": [None, None],
        "method": "ratio of means, delta-method 95% CI on the log scale",
        "reason": None,
    }
    n_i, n_c = intervention.size, control.size
    if n_i < 2 or n_c < 2:
        out["reason"] = "fewer than two participants in an arm: no variance to build an interval"
        return out
    mean_i, mean_c = float(intervention.mean()), float(control.mean())
    if mean_c == 0:
        out["reason"] = "no harm in the reference arm: a ratio to zero is not defined"
        return out
    ratio = mean_i / mean_c
    out.update(ratio=ratio, relative_reduction=1 - ratio)
    if mean_i == 0:
        out["reason"] = "no harm in the compared arm: the log-scale interval is not defined"
        return out
    # Var(log mean) ~ Var(mean) / mean^2, the two arms independent.
    var = float(intervention.var(ddof=1)) / (n_i * mean_i**2) + float(control.var(ddof=1)) / (
        n_c * mean_c**2
    )
    se = math.sqrt(var)
    lo, hi = math.exp(math.log(ratio) - Z95 * se), math.exp(math.log(ratio) + Z95 * se)
    out.update(ratio_ci95=[lo, hi], relative_reduction_ci95=[1 - hi, 1 - lo])
    return out


def _wilson(*, events: int, n: int) -> tuple[float, float]:
    """Return the Wilson score 95% interval of one proportion."""
    p = events / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return centre - half, centre + half


def newcombe_ci(*, a: int, n1: int, c: int, n2: int) -> list[float | None]:
    """Return Newcombe's hybrid score 95% CI of p1 - p2 (his method 10, from Wilson intervals)."""
    if n1 == 0 or n2 == 0:
        return [None, None]
    p1, p2 = a / n1, c / n2
    l1, u1 = _wilson(events=a, n=n1)
    l2, u2 = _wilson(events=c, n=n2)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return [lower, upper]
