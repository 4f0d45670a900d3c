"""Matplotlib charts as inline SVG: recruitment over time and Kaplan-Meier curves."""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never an interactive backend: reports are built by workers

from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# Line styles as well as colours, so arms stay distinct printed in black and white.
STYLES = (("#1b5e9e", "-"), ("#c05a00", "--"), ("#3a7d44", ":"), ("#7b3294", "-."))
RC: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: searchable in the PDF, set in the report's font
    "svg.hashsalt": "report",  # stable element ids, so the same data gives the same bytes
    "font.family": "DejaVu Sans",
    "font.size": 9,
}


def _svg(fig: Figure, *, prefix: str) -> str:
    """Return the figure as an <svg> element without the XML prolog, its ids prefixed."""
    fig.tight_layout()
    buffer = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # Two inline SVGs in one document would share ids such as "figure_1" and clip paths,
    # and one chart could then be clipped by the other's rectangle.
    text = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)


MAX_MONTH_LABELS = 12
# Label every month, every 2nd, quarter, half-year, year, ...: regular steps a reader can follow.
MONTH_STEPS = (1, 2, 3, 6, 12)
# English abbreviations whatever the worker's locale.
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_ticks(months: Sequence[str]) -> tuple[list[int], list[str]]:
    """Return at most MAX_MONTH_LABELS evenly spaced month positions and their labels.

    Labels are "Mar" over "2014" (two short lines fit where "2014-03" side by side would
    overlap); the step is the smallest of 1, 2, 3, 6, 12, 24, ... months that keeps the count
    within MAX_MONTH_LABELS.
    """
    steps = itertools.chain(MONTH_STEPS, itertools.count(24, 12))
    step = next(s for s in steps if math.ceil(len(months) / s) <= MAX_MONTH_LABELS)
    positions = list(range(0, len(months), step))
    labels = []
    for i in positions:
        year, month = months[i].split("-")
        labels.append(f"{MONTH_NAMES[int(month) - 1]}\n{year}")
    return positions, labels


def recruitment_figure(
    *, months: Sequence[str], arms: Sequence[tuple[str, Sequence[int]]]
) -> Figure:
    """Return the figure of cumulative randomisations per arm by month, one line per arm."""
    fig = Figure(figsize=(6.6, 2.6))
    ax = fig.add_subplot()
    x = range(len(months))
    for (label, counts), (colour, style) in zip(arms, STYLES, strict=False):
        total, cumulative = 0, []
        for count in counts:
            total += count
            cumulative.append(total)
        ax.step(x, cumulative, where="post", color=colour, linestyle=style, label=label)
    positions, labels = month_ticks(months)
    ax.set_xticks(positions, labels)
    ax.set_xlabel("Month of randomisation")
    ax.set_ylabel("Randomised (cumulative)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


def recruitment_svg(*, months: Sequence[str], arms: Sequence[tuple[str, Sequence[int]]]) -> str:
    """Return cumulative randomisations per arm by month as SVG."""
    with matplotlib.rc_context(RC):
        return _svg(recruitment_figure(months=months, arms=arms), prefix="recruitment")


def km_svg(
    *,
    curves: Sequence[tuple[str, dict[str, Any]]],
    window_days: int,
    at_risk: tuple[Sequence[int], Sequence[tuple[str, Sequence[int]]]] | None = None,
) -> str:
    """Return Kaplan-Meier curves (proportion not re-offended) with 95% bands per arm.

    `at_risk` is (days, [(arm label, numbers at risk at those days)]): printed as a row per
    arm under the plot, as CONSORT asks. The y-axis says when it does not start at 0.
    """
    with matplotlib.rc_context(RC):
        rows = len(at_risk[1]) if at_risk else 0
        fig = Figure(figsize=(6.6, 3.2 + 0.2 * (rows + 1) if rows else 3.2))
        ax = fig.add_subplot()
        for (label, curve), (colour, style) in zip(curves, STYLES, strict=False):
            ax.step(curve["days"], curve["survival"], where="post", color=colour, linestyle=style)
            ax.fill_between(
                curve["days"],
                curve["ci95_lower"],
                curve["ci95_upper"],
                step="post",
                color=colour,
                alpha=0.12,
                linewidth=0,
            )
            ax.plot([], [], color=colour, linestyle=style, label=label)
        ax.set_xlim(0, window_days)
        bottom = max(min(0.5, ax.get_ylim()[0]), 0.0)
        ax.set_ylim(bottom=bottom, top=1.01)
        ax.set_xlabel("Days since randomisation")
        # A y-axis that does not start at 0 magnifies differences: say so on the axis.
        ax.set_ylabel(
            f"Not re-offended\n(axis truncated at {bottom:.2f})"
            if bottom > 0
            else "Not re-offended"
        )
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False, loc="lower left")
        if at_risk and rows:
            _at_risk_rows(ax, *at_risk)
        return _svg(fig, prefix="km")


def _at_risk_rows(ax: Any, days: Sequence[int], arms: Sequence[tuple[str, Sequence[int]]]) -> None:
    """Write the numbers at risk under the x-axis, one row per arm, aligned with the days."""
    # x in days, y in axes fractions: the rows sit below the axis label whatever the y range.
    place = ax.get_xaxis_transform()
    top = -0.3
    ax.text(
        -0.05,
        top,
        "Numbers at risk",
        transform=ax.transAxes,
        fontsize=8,
        va="center",
        ha="right",
        fontweight="bold",
    )
    for row, ((label, counts), (colour, _style)) in enumerate(zip(arms, STYLES, strict=False)):
        y = top - 0.1 * (row + 1)
        ax.text(
            -0.05,
            y,
            label,
            transform=ax.transAxes,
            ha="right",
            va="center",
            fontsize=8,
            color=colour,
        )
        for day, count in zip(days, counts, strict=False):
            ax.text(day, y, f"{count:,}", transform=place, ha="center", va="center", fontsize=8)
