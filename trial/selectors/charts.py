"""An inline SVG stacked bar chart of recruitment per month (no JavaScript, no image files)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Colour-blind safe (Okabe-Ito), one per arm in arm order.
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 30, 10
RIGHT = 24  # room for half of the last month's label
# A month label ("Mar 2025") at the template's 10 px font is about 44 px wide: labels are at
# least this far apart, so they never overlap however many months there are.
LABEL_SPACING = 56


class HasCounts(Protocol):
    label: str
    counts: list[int]
    total: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]  # x position, month label
    ticks: list[tuple[float, int]]  # y position, count
    legend: list[tuple[str, str]]  # colour, arm name
    baseline: float


def stacked_bars(months: Sequence[tuple[datetime.date, HasCounts]], arm_names: list[str]) -> Chart:
    """Lay out one bar per month, stacked by arm."""
    legend = [(COLOURS[i % len(COLOURS)], name) for i, name in enumerate(arm_names)]
    baseline: float = HEIGHT - BOTTOM
    if not months:
        return Chart(WIDTH, HEIGHT, [], [], [], legend, baseline)
    top = max(row.total for _, row in months) or 1
    scale = (baseline - TOP) / top
    step = (WIDTH - LEFT - RIGHT) / len(months)
    bar_width = max(step * 0.7, 1)
    bars, labels = [], []
    every = max(1, math.ceil(LABEL_SPACING / step))  # label every month, or every 2nd, 3rd...
    for i, (_, row) in enumerate(months):
        x = LEFT + i * step + (step - bar_width) / 2
        y: float = baseline
        for arm_index, count in enumerate(row.counts):
            if not count:
                continue
            height = count * scale
            y -= height
            colour = COLOURS[arm_index % len(COLOURS)]
            title = f"{row.label}: {arm_names[arm_index]} {count}"
            bars.append(Bar(x, y, bar_width, height, colour, title))
        if i % every == 0:
            labels.append((x + bar_width / 2, row.label))
    ticks = [(baseline - value * scale, value) for value in sorted({0, top // 2, top})]
    return Chart(WIDTH, HEIGHT, bars, labels, ticks, legend, baseline)
