"""A small SVG builder and the CONSORT 2010/2025 flow diagram drawn with it."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from html import escape
from typing import Any

FONT_PX = 11
LINE_PX = 14
PAD = 6
CHAR_PX = 6.3  # average DejaVu Sans advance at 11 px, for wrapping without measuring text
STROKE = 1.0
# Boxes keep this far from the drawing's edges: a stroke is centred on the rectangle's edge, so a
# box flush with the viewBox loses half its border, and a printer's rasteriser may drop it all.
MARGIN = 4.0
# A trailing count and the word before it, e.g. "cut (n=46)": wrapped as one word, never split.
TRAILING_COUNT = re.compile(r" (\S+) \((n=[^)]*|not recorded)\)$")
NBSP = "\u00a0"  # textwrap breaks only at ASCII whitespace


def wrap(text: str, chars: int) -> list[str]:
    """Return the text wrapped to `chars`, its trailing count kept on a line with its words."""
    glued = TRAILING_COUNT.sub(lambda m: f" {m[1]}{NBSP}({m[2].replace(' ', NBSP)})", text)
    return [line.replace(NBSP, " ") for line in textwrap.wrap(glued, chars)] or [""]


@dataclass
class Box:
    """A rectangle with wrapped lines of text; its height follows its text."""

    x: float
    y: float
    w: float
    lines: list[str]

    @property
    def h(self) -> float:
        return 2 * PAD + LINE_PX * len(self.lines)

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class SvgBuilder:
    """Collects boxes, arrows and labels and writes them as one <svg> element."""

    width: float
    parts: list[str] = field(default_factory=list)
    height: float = 0

    def box(self, *, x: float, y: float, w: float, texts: list[str], bold: bool = False) -> Box:
        """Add a box at (x, y) of width w holding the texts wrapped to fit."""
        chars = max(8, int((w - 2 * PAD) / CHAR_PX))
        lines = [part for text in texts for part in wrap(text, chars)]
        box = Box(x=x, y=y, w=w, lines=lines)
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{box.h:.1f}" '
            f'fill="#ffffff" stroke="#222222" stroke-width="{STROKE:g}"/>'
        )
        for i, line in enumerate(lines):
            weight = ' font-weight="bold"' if bold and i == 0 else ""
            ty = y + PAD + LINE_PX * (i + 1) - 3
            self.parts.append(f'<text x="{x + PAD:.1f}" y="{ty:.1f}"{weight}>{escape(line)}</text>')
        self.height = max(self.height, box.bottom)
        return box

    def arrow(self, *, x1: float, y1: float, x2: float, y2: float) -> None:
        """Add a line from (x1, y1) ending in an arrowhead at (x2, y2)."""
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            'stroke="#222222" stroke-width="1" marker-end="url(#arrow)"/>'
        )

    def line(self, *, x1: float, y1: float, x2: float, y2: float) -> None:
        """Add a plain connector line."""
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            'stroke="#222222" stroke-width="1"/>'
        )

    def stage(self, *, y: float, h: float, label: str) -> None:
        """Add a CONSORT stage label bar (Enrolment, Allocation, ...) across the diagram."""
        self.parts.append(
            f'<rect x="0" y="{y:.1f}" width="{self.width:.1f}" height="{h:.1f}" rx="3" '
            'fill="#dbe7f3" stroke="none"/>'
            f'<text x="{self.width / 2:.1f}" y="{y + h - 5:.1f}" text-anchor="middle" '
            f'font-weight="bold">{escape(label)}</text>'
        )

    def render(self) -> str:
        """Return the <svg> markup, scaled to the width of its container."""
        h = self.height + MARGIN
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} {h:.0f}" '
            f'width="100%" font-family="DejaVu Sans, sans-serif" font-size="{FONT_PX}" '
            'role="img" aria-label="CONSORT flow diagram">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#222222"/>'
            "</marker></defs>" + "".join(self.parts) + "</svg>"
        )


def count(value: int | None) -> str:
    """Return "n=12", or "not recorded" when the count was never recorded."""
    return "not recorded" if value is None else f"n={value}"


def consort_svg(*, consort: dict[str, Any], arms: list[tuple[str, str]], blinded: bool) -> str:
    """Return the CONSORT flow diagram; `arms` pairs each arm code with its display label."""
    width = 680.0
    svg = SvgBuilder(width=width)
    gap, bar = 14.0, 18.0
    # Boxes are laid out on the inner width, inset by MARGIN on both sides.
    inner = width - 2 * MARGIN
    svg.stage(y=0, h=bar, label="Enrolment")
    top = svg.box(
        x=MARGIN + inner * 0.12,
        y=bar + gap,
        w=inner * 0.42,
        texts=[f"Assessed for eligibility ({count(consort['assessed'])})"],
    )
    reasons = consort["excluded_by_reason"]
    excluded_texts = [f"Excluded ({count(consort['excluded'])})"]
    if reasons:
        excluded_texts += [f"• {reason} (n={n})" for reason, n in reasons.items()]
    excluded = svg.box(
        x=MARGIN + inner * 0.6, y=top.bottom + gap, w=inner * 0.4, texts=excluded_texts
    )
    randomised_y = excluded.bottom + gap
    randomised = svg.box(
        x=MARGIN + inner * 0.12,
        y=randomised_y,
        w=inner * 0.42,
        texts=[f"Randomised (n={consort['randomised']})"],
        bold=True,
    )
    svg.arrow(x1=top.cx, y1=top.bottom, x2=top.cx, y2=randomised.y)
    mid = excluded.y + excluded.h / 2
    svg.arrow(x1=top.cx, y1=mid, x2=excluded.x, y2=mid)

    k = len(arms)
    column = (inner - gap * (k - 1)) / k
    xs = [MARGIN + i * (column + gap) for i in range(k)]
    stage_rows: list[tuple[str, list[list[str]]]] = [
        (
            "Allocation",
            [_allocation(consort["arms"][code], label, blinded) for code, label in arms],
        ),
        ("Follow-up", [_follow_up(consort["arms"][code]) for code, _ in arms]),
        ("Analysis", [_analysis(consort["arms"][code]) for code, _ in arms]),
    ]
    y = randomised.bottom + gap
    previous: list[Box] = []
    for label, texts_per_arm in stage_rows:
        svg.stage(y=y, h=bar, label=label)
        y += bar + gap
        boxes = [
            svg.box(x=x, y=y, w=column, texts=texts)
            for x, texts in zip(xs, texts_per_arm, strict=True)
        ]
        if not previous:
            # Randomised fans out to every arm through a horizontal rail.
            rail = y - gap - bar - gap / 2
            svg.line(x1=randomised.cx, y1=randomised.bottom, x2=randomised.cx, y2=rail)
            svg.line(x1=boxes[0].cx, y1=rail, x2=boxes[-1].cx, y2=rail)
            for box in boxes:
                svg.arrow(x1=box.cx, y1=rail, x2=box.cx, y2=box.y)
        else:
            for above, box in zip(previous, boxes, strict=True):
                svg.arrow(x1=above.cx, y1=above.bottom, x2=box.cx, y2=box.y)
        previous = boxes
        y = max(b.bottom for b in boxes) + gap
    return svg.render()


def _allocation(counts: dict[str, Any], label: str, blinded: bool) -> list[str]:
    """Return the allocation box text of one arm."""
    texts = [f"Allocated to {label} (n={counts['allocated']})"]
    if blinded:
        return texts
    if counts["received_not_recorded"] is None:
        texts.append("No workshops to receive (caution only)")
        return texts
    texts.append(f"• Received allocated intervention ({count(counts['received'])})")
    texts.append(f"• Did not receive allocated intervention ({count(counts['not_received'])})")
    if counts["received_not_recorded"]:
        texts.append(f"• Attendance not recorded (n={counts['received_not_recorded']})")
    return texts


def _follow_up(counts: dict[str, Any]) -> list[str]:
    """Return the follow-up box text of one arm (everyone allocated by the cut)."""
    texts = [f"Window not yet closed at the cut (n={counts['window_open']})"]
    waiting = counts.get("not_scorable") or 0
    if counts["not_frozen"] - waiting:
        texts.append(
            f"Window closed but not frozen at the cut (n={counts['not_frozen'] - waiting})"
        )
    if waiting:
        texts.append(f"Outcome not yet scorable: offence code not in catalogue (n={waiting})")
    texts += [
        f"Withdrawn after randomisation ({count(counts['withdrawn'])})",
        f"Lost to follow-up ({count(counts['lost_to_follow_up'])})",
    ]
    return texts


def _analysis(counts: dict[str, Any]) -> list[str]:
    """Return the analysis box text of one arm."""
    texts = [f"Analysed (n={counts['analysed']})"]
    if counts["withdrawn_analysed"]:
        texts.append(
            f"• Including withdrawn, followed in police records (n={counts['withdrawn_analysed']})"
        )
    texts.append(f"Excluded from analysis (n={counts['excluded_from_analysis']})")
    return texts
