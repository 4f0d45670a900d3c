"""The report's charts read cleanly: month labels that neither crowd nor overlap."""

from __future__ import annotations

import itertools

import matplotlib
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from reports.rendering.charts import RC, recruitment_figure, recruitment_svg


def _months(n: int) -> list[str]:
    return [str(p) for p in pd.period_range("2014-03", periods=n, freq="M")]


@pytest.mark.parametrize("n", [1, 5, 12, 13, 15, 24, 37, 60])
def test_recruitment_month_labels_are_few_and_never_overlap(n: int) -> None:
    months = _months(n)
    arms = [("Arm A", [3] * n), ("Arm B", [2] * n)]
    with matplotlib.rc_context(RC):
        fig = recruitment_figure(months=months, arms=arms)
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        labels = [t for t in fig.axes[0].get_xticklabels() if t.get_visible() and t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in labels]
        page = fig.bbox
    assert 1 <= len(labels) <= 12
    assert labels[0].get_text() == "Mar\n2014"
    for a, b in itertools.pairwise(boxes):
        assert not a.overlaps(b), (n, a, b)
    for box in boxes:  # tight_layout keeps the labels inside the figure
        assert page.x0 <= box.x0, (n, box)
        assert box.x1 <= page.x1, (n, box)
        assert page.y0 <= box.y0, (n, box)


def test_recruitment_svg_keeps_text_as_text() -> None:
    svg = recruitment_svg(months=_months(30), arms=[("Arm A", [1] * 30), ("Arm B", [1] * 30)])
    assert svg.startswith("<svg")
    # 30 months, labelled quarterly: Mar, Jun, Sep, Dec, each year on the line below.
    assert svg.count(">Mar<") == 3
    assert ">Apr<" not in svg
    assert ">2014<" in svg
    assert "Arm A" in svg
