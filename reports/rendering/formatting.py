"""Number formats of the report: one place decides decimals, CIs, p-values and "not recorded"."""

from __future__ import annotations

from collections.abc import Sequence

NOT_ESTIMABLE = "not estimable"
NOT_RECORDED = "not recorded"


def num(value: float | None, dp: int = 1) -> str:
    """Return the number with dp decimals and thousands separators."""
    return NOT_ESTIMABLE if value is None else f"{value:,.{dp}f}"


def pct(proportion: float | None, dp: int = 1) -> str:
    """Return a proportion (0-1) as a percentage."""
    return NOT_ESTIMABLE if proportion is None else f"{100 * proportion:.{dp}f}%"


def ci(bounds: Sequence[float | None], dp: int = 2, scale: float = 1.0) -> str:
    """Return a 95% CI as "lo to hi"."""
    lo, hi = bounds
    if lo is None or hi is None:
        return NOT_ESTIMABLE
    return f"{lo * scale:,.{dp}f} to {hi * scale:,.{dp}f}"


def p_value(value: float | None) -> str:
    """Return a p-value to three decimals, or "< 0.001"."""
    if value is None:
        return NOT_ESTIMABLE
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def count(value: int | None) -> str:
    """Return an integer count with separators, or "not recorded" when never recorded."""
    return NOT_RECORDED if value is None else f"{value:,}"


def n_of(events: int, n: int) -> str:
    """Return "events/n (percent)"."""
    return f"{events:,}/{n:,} ({100 * events / n:.1f}%)" if n else f"{events}/0"


def change(reduction: float | None, *, less: str, more: str) -> str:
    """Return a relative reduction as "27.4% less harm", or "11.9% more harm" when negative."""
    if reduction is None:
        return NOT_ESTIMABLE
    return f"{100 * abs(reduction):.1f}% {less if reduction >= 0 else more}"


def difference(reduction: float | None) -> str:
    """Return a relative reduction in neutral words ("relative difference -27.4%"), for interim
    reports, where "less harm" would read as a conclusion."""
    if reduction is None:
        return NOT_ESTIMABLE
    return f"relative difference {-100 * reduction:+.1f}%"
