"""Interim monitoring: boundaries against published values and an independent integration."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime

import numpy as np
import pytest
from scipy import stats

from reports.analysis.blinding import blind_dataset
from reports.analysis.boundaries import boundaries, shaped_boundaries, spent
from reports.analysis.monitoring import EFFICACY, HARM, NOT_CROSSED, harm_z, interim_monitoring
from reports.analysis.results import analyse
from reports.analysis.synthetic import synthetic_dataset
from reports.rendering.pdf import render_report_html


def _equal(k: int) -> list[float]:
    return [j / k for j in range(1, k + 1)]


def _no_crossing(fractions: list[float], bounds: list[float]) -> float:
    """P(|Z_k| < c_k at every look) from the joint normal, corr(Z_i, Z_j) = sqrt(t_i / t_j)."""
    t = np.array(fractions)
    corr = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    joint = stats.multivariate_normal(
        mean=np.zeros(len(t)), cov=corr, seed=20261204, abseps=1e-7, releps=1e-7, maxpts=10**6
    )
    upper = np.array(bounds)
    return float(joint.cdf(upper, lower_limit=-upper))


@pytest.mark.parametrize(
    ("looks", "published"),
    [(2, [2.157, 2.201]), (3, [2.279, 2.295, 2.296])],
)
def test_pocock_type_spending_gives_the_published_boundaries(
    looks: int, published: list[float]
) -> None:
    found = boundaries(fractions=_equal(looks), spending="pocock")
    assert [round(c, 3) for c in found] == published
    # The first look spends alpha * ln(1 + (e - 1) t) by hand; all looks together spend 0.05.
    first = stats.norm.isf(0.05 * math.log(1 + (math.e - 1) / looks) / 2)
    assert found[0] == pytest.approx(first, abs=1e-9)
    assert 1 - _no_crossing(_equal(looks), found) == pytest.approx(0.05, abs=2e-5)


@pytest.mark.parametrize(
    ("looks", "published"),
    [
        # gsDesign sfLDOF / ldbounds, two-sided symmetric 0.05 (0.025 a side).
        (2, [2.963, 1.969]),
        (3, [3.710, 2.511, 1.993]),
        (5, [4.877, 3.357, 2.680, 2.290, 2.031]),
    ],
)
def test_obrien_fleming_type_spending_gives_the_published_boundaries(
    looks: int, published: list[float]
) -> None:
    found = boundaries(fractions=_equal(looks), spending="obrien_fleming")
    assert [round(c, 3) for c in found] == published
    assert 1 - _no_crossing(_equal(looks), found) == pytest.approx(0.05, abs=2e-5)
    # Each look spends exactly what the function allows since the previous one.
    for k in range(1, looks):
        ts = _equal(looks)[: k + 1]
        step = _no_crossing(ts[:-1], found[:k]) - _no_crossing(ts, found[: k + 1])
        allowed = spent(spending="obrien_fleming", t=ts[-1]) - spent(
            spending="obrien_fleming", t=ts[-2]
        )
        assert step == pytest.approx(allowed, abs=2e-5)


@pytest.mark.parametrize(
    ("looks", "reference"),
    [(2, [2.797, 1.977]), (3, [3.471, 2.454, 2.004])],
)
def test_the_integration_reproduces_the_classical_obrien_fleming_boundaries(
    looks: int, reference: list[float]
) -> None:
    """O'Brien and Fleming (1979): C * sqrt(K / k), the values the spending function imitates."""
    found = shaped_boundaries(fractions=_equal(looks), shape=lambda t: 1 / math.sqrt(t))
    assert [round(c, 3) for c in found] == reference
    assert 1 - _no_crossing(_equal(looks), found) == pytest.approx(0.05, abs=2e-5)


def test_unequal_looks_spend_by_the_information_actually_reached() -> None:
    fractions = [0.3, 0.55, 1.0]
    found = boundaries(fractions=fractions, spending="obrien_fleming")
    assert 1 - _no_crossing(fractions, found) == pytest.approx(0.05, abs=2e-5)
    assert found[0] > found[1] > found[2]


def test_bad_fractions_and_spending_are_refused() -> None:
    with pytest.raises(ValueError, match="increase strictly"):
        boundaries(fractions=[0.5, 0.4])
    with pytest.raises(ValueError, match="Spending"):
        interim_monitoring(
            analysed=10, z=1.0, planned_sample_size=20, interim_looks=2, spending="x"
        )


def test_the_harm_z_is_welchs_statistic() -> None:
    rng = np.random.default_rng(4)
    treated, control = rng.exponential(8, 40), rng.exponential(11, 35)
    welch = stats.ttest_ind(control, treated, equal_var=False).statistic
    assert harm_z(intervention=treated, control=control) == pytest.approx(welch, rel=1e-12)


def test_the_look_says_in_words_whether_the_boundary_was_crossed() -> None:
    # 150 of 300 planned, two interim looks (thirds): the second look, at fraction one half.
    look = interim_monitoring(analysed=150, z=1.2, planned_sample_size=300, interim_looks=2)
    assert (look["look"], look["information_fraction"]) == (1, 0.5)
    bound = boundaries(fractions=[0.5])[0]
    assert look["boundary"] == pytest.approx(bound)
    assert look["statement"] == NOT_CROSSED
    assert look["headline"] == (
        "Interim analysis: not a basis for conclusions; the boundary was not crossed."
    )
    late = interim_monitoring(analysed=250, z=2.6, planned_sample_size=300, interim_looks=2)
    assert late["look"] == 2
    assert late["boundary"] == pytest.approx(boundaries(fractions=[1 / 3, 250 / 300])[-1])
    assert late["statement"] == EFFICACY
    worse = interim_monitoring(analysed=250, z=-2.6, planned_sample_size=300, interim_looks=2)
    assert worse["statement"] == HARM
    blind = interim_monitoring(
        analysed=250, z=-2.6, planned_sample_size=300, interim_looks=2, blinded=True
    )
    assert "direction is not shown" in blind["statement"]
    unplanned = interim_monitoring(analysed=250, z=2.6, planned_sample_size=None, interim_looks=0)
    assert unplanned["planned"] is False
    assert "No interim looks are planned" in unplanned["statement"]


def test_an_interim_report_carries_its_monitoring_and_a_final_one_does_not() -> None:
    dataset = synthetic_dataset(n=300, seed=3)
    final = analyse(dataset=dataset, reps=1000)
    assert final["monitoring"] is None
    meta = dataclasses.replace(
        dataset.meta, interim=True, planned_sample_size=600, interim_looks=2, spending="pocock"
    )
    interim = analyse(dataset=dataclasses.replace(dataset, meta=meta), reps=1000)
    block = interim["monitoring"]
    analysed = interim["meta"]["participants"]
    assert block["information_fraction"] == pytest.approx(analysed / 600)
    frame_i = [r.harm for r in dataset.rows if r.arm == "cara"]
    frame_c = [r.harm for r in dataset.rows if r.arm == "control"]
    welch = stats.ttest_ind(frame_c, frame_i, equal_var=False).statistic
    assert block["z"] == pytest.approx(welch)
    html = render_report_html(
        results=interim,
        report_type="interim",
        generated_at=datetime(2026, 12, 4, tzinfo=UTC),
        generated_by="test",
    )
    assert block["headline"] in html
    assert "Information fraction" in html or "information fraction" in html
    assert "Pocock type" in html


def test_a_blinded_interim_report_judges_the_boundary_without_naming_a_direction() -> None:
    dataset = synthetic_dataset(n=300, seed=3)
    meta = dataclasses.replace(dataset.meta, interim=True, planned_sample_size=400, interim_looks=1)
    blinded = blind_dataset(dataset=dataclasses.replace(dataset, meta=meta))
    block = analyse(dataset=blinded, reps=1000)["monitoring"]
    assert "arms blinded" in block["statistic"]
    assert block["crossed"] in (None, "blinded")
