"""Binary outcomes (any, same-partner, domestic re-offence): risk ratio, difference, Fisher."""

from __future__ import annotations

import math
from typing import Any

from scipy import stats

# Two-sided 95%: the exact normal quantile, not the rounded 1.96.
Z95 = float(stats.norm.ppf(0.975))


def proportion(*, events: int, n: int) -> float | None:
    """Return events / n, or None for an empty group."""
    return events / n if n else None


def risk_ratio_ci(*, a: int, n1: int, c: int, n2: int) -> dict[str, Any]:
    """Return the risk ratio of group 1 vs group 2 with its 95% CI (log method, Katz)."""
    if n1 == 0 or n2 == 0:
        return {"risk_ratio": None, "ci95": [None, None], "correction": None}
    rr = (a / n1) / (c / n2) if c else None
    correction = None
    if a == 0 or c == 0:
        # The log method cannot handle a zero cell; the Haldane-Anscombe 0.5 added to every cell
        # gives a finite interval, and the report says it was used.
        correction = 0.5
        a_, c_, b_, d_ = a + 0.5, c + 0.5, n1 - a + 0.5, n2 - c + 0.5
        n1_, n2_ = a_ + b_, c_ + d_
    else:
        a_, c_, n1_, n2_ = float(a), float(c), float(n1), float(n2)
    if a == 0 and c == 0:
        return {"risk_ratio": None, "ci95": [None, None], "correction": correction}
    log_rr = math.log((a_ / n1_) / (c_ / n2_))
    se = math.sqrt(1 / a_ - 1 / n1_ + 1 / c_ - 1 / n2_)
    if correction:
        # The point estimate takes the same correction, so it lies inside its own interval.
        rr = math.exp(log_rr)
    return {
        "risk_ratio": rr,
        "ci95": [math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se)],
        "correction": correction,
    }


def risk_difference_ci(*, a: int, n1: int, c: int, n2: int) -> dict[str, Any]:
    """Return the risk difference (group 1 minus group 2) with its 95% Wald CI."""
    if n1 == 0 or n2 == 0:
        return {"risk_difference": None, "ci95": [None, None]}
    p1, p2 = a / n1, c / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    rd = p1 - p2
    return {"risk_difference": rd, "ci95": [rd - Z95 * se, rd + Z95 * se]}


def fisher_p(*, a: int, n1: int, c: int, n2: int) -> float:
    """Return the two-sided Fisher's exact p-value of the 2x2 table."""
    result = stats.fisher_exact([[a, n1 - a], [c, n2 - c]], alternative="two-sided")
    return float(result.pvalue)


def binary_comparison(*, a: int, n1: int, c: int, n2: int) -> dict[str, Any]:
    """Compare a binary outcome of an intervention (a of n1) with control (c of n2)."""
    rr = risk_ratio_ci(a=a, n1=n1, c=c, n2=n2)
    rd = risk_difference_ci(a=a, n1=n1, c=c, n2=n2)
    ratio = rr["risk_ratio"]
    lo, hi = rr["ci95"]
    return {
        "intervention": {"n": n1, "events": a, "proportion": proportion(events=a, n=n1)},
        "control": {"n": n2, "events": c, "proportion": proportion(events=c, n=n2)},
        "risk_ratio": ratio,
        "risk_ratio_ci95": [lo, hi],
        "risk_ratio_correction": rr["correction"],
        # "35% fewer": one minus the risk ratio, so its CI is the RR's CI mirrored.
        "relative_reduction": None if ratio is None else 1 - ratio,
        "relative_reduction_ci95": [None if hi is None else 1 - hi, None if lo is None else 1 - lo],
        "risk_difference": rd["risk_difference"],
        "risk_difference_ci95": rd["ci95"],
        "p_value": fisher_p(a=a, n1=n1, c=c, n2=n2),
        "test": "Fisher's exact test, two-sided",
        "risk_ratio_note": None
        if rr["correction"] is None
        else "A zero cell: 0.5 added to every cell for the risk ratio and its interval "
        "(Haldane-Anscombe).",
    }
