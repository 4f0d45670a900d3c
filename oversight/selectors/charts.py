"""Inline SVG horizontal share bars (no JavaScript, no image files), one bar per row.

Each bar is 100% of its row's total, split into coloured segments; the text beside it says the
figure, so the chart never relies on colour alone. Colours are trial's (Okabe-Ito).
"""

from __future__ import annotations

from dataclasses import dataclass

COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
LABEL_WIDTH, BAR_WIDTH, NOTE_WIDTH, ROW_HEIGHT, BAR_HEIGHT, TOP = 230, 320, 150, 26, 16, 6

__all__ = ["ShareChart", "ShareRow", "percent", "share_bars"]


@dataclass(frozen=True)
class ShareRow:
    label: str
    counts: list[int]  # one per segment, in legend order
    total: int
    note: str  # what the bar says in words, e.g. "62% (31 of 50)"


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    title: str


@dataclass(frozen=True)
class Bar:
    y: float
    text_y: float  # baseline of the label and note, level with the bar's middle
    label: str
    note: str
    segments: list[Segment]


@dataclass(frozen=True)
class ShareChart:
    width: int
    height: int
    label_width: int
    bar_width: int
    bar_height: int
    label_x: int  # labels end here (right-aligned)
    note_x: int  # notes start here
    bars: list[Bar]
    legend: list[tuple[str, str]]  # colour, segment name


def percent(part: int, whole: int) -> str:
    """Say a share as a whole percentage, or n/a when there is nothing to share."""
    return f"{round(100 * part / whole)}%" if whole else "n/a"


def share_bars(rows: list[ShareRow], names: list[str]) -> ShareChart:
    """Lay out one horizontal bar per row, its segments proportional to the row's total."""
    legend = [(COLOURS[i % len(COLOURS)], name) for i, name in enumerate(names)]
    bars = []
    for index, row in enumerate(rows):
        x: float = LABEL_WIDTH
        segments = []
        for position, count in enumerate(row.counts):
            if not count or not row.total:
                continue
            width = BAR_WIDTH * count / row.total
            colour = COLOURS[position % len(COLOURS)]
            title = f"{row.label}: {names[position]} {count} of {row.total}"
            segments.append(Segment(x, width, colour, title))
            x += width
        y = TOP + index * ROW_HEIGHT
        bars.append(Bar(y, y + BAR_HEIGHT - 4, row.label, row.note, segments))
    width = LABEL_WIDTH + BAR_WIDTH + NOTE_WIDTH
    height = TOP * 2 + ROW_HEIGHT * max(len(rows), 1)
    return ShareChart(
        width,
        height,
        LABEL_WIDTH,
        BAR_WIDTH,
        BAR_HEIGHT,
        LABEL_WIDTH - 6,
        LABEL_WIDTH + BAR_WIDTH + 6,
        bars,
        legend,
    )
