"""Prevalence effects checked against first-principles arithmetic on 2x2 tables."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.analysis.effects import binary_comparison, fisher_p, risk_ratio_ci
from reports.analysis.harm import relative_reduction
from reports.analysis.results import analyse
from tests.reports.builders import two_by_two

Z = NormalDist().inv_cdf(0.975)


@pytest.mark.smoke
def test_risk_ratio_and_difference_with_their_cis_match_the_textbook_formulas() -> None:
    # 12 of 50 workshop men vs 20 of 48 controls re-offended.
    a, n1, c, n2 = 12, 50, 20, 48
    rr = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    p1, p2 = a / n1, c / n2
    se_rd = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)

    result = analyse(dataset=two_by_two(a=a, n1=n1, c=c, n2=n2), reps=1000)

    prevalence = result["prevalence"]
    assert result["arms"]["cara"]["reoffended"] == 12
    assert result["arms"]["cara"]["prevalence"] == pytest.approx(0.24)
    assert result["arms"]["control"]["prevalence"] == pytest.approx(20 / 48)
    assert prevalence["risk_ratio"] == pytest.approx(rr)
    assert prevalence["risk_ratio_ci95"] == pytest.approx(
        [math.exp(math.log(rr) - Z * se), math.exp(math.log(rr) + Z * se)]
    )
    assert prevalence["relative_reduction"] == pytest.approx(1 - rr)
    assert prevalence["risk_difference"] == pytest.approx(p1 - p2)
    assert prevalence["risk_difference_ci95"] == pytest.approx(
        [p1 - p2 - Z * se_rd, p1 - p2 + Z * se_rd]
    )


def _hypergeometric_two_sided(a: int, n1: int, c: int, n2: int) -> float:
    """Sum the probabilities of every table with the same margins no more likely than this one."""
    events, total = a + c, n1 + n2

    def prob(k: int) -> float:
        return math.comb(n1, k) * math.comb(n2, events - k) / math.comb(total, events)

    observed = prob(a)
    ks = range(max(0, events - n2), min(events, n1) + 1)
    return sum(prob(k) for k in ks if prob(k) <= observed * (1 + 1e-9))


@pytest.mark.parametrize(("a", "n1", "c", "n2"), [(3, 10, 8, 10), (1, 9, 6, 7), (12, 50, 20, 48)])
def test_fisher_p_equals_the_enumerated_hypergeometric_tail(
    a: int, n1: int, c: int, n2: int
) -> None:
    assert fisher_p(a=a, n1=n1, c=c, n2=n2) == pytest.approx(
        _hypergeometric_two_sided(a, n1, c, n2)
    )


def test_same_partner_and_domestic_prevalence_have_keys_of_their_own() -> None:
    dataset = two_by_two(a=4, n1=10, c=6, n2=10)
    result = analyse(dataset=dataset, reps=1000)
    # Every re-offence in the builder is domestic, none against the same partner.
    assert result["arms"]["cara"]["reoffended_domestic"] == 4
    assert result["arms"]["cara"]["reoffended_same_partner"] == 0
    assert result["prevalence_domestic"]["risk_ratio"] == pytest.approx(4 / 6)
    assert result["prevalence_same_partner"]["risk_ratio"] is None


def test_published_cara_harm_means_give_27_percent_less_harm() -> None:
    # Published means 8.4 vs 11.6 CCHI days: 27.6% less, which the trial reported as "27%".
    from_means = relative_reduction(intervention=8.4, control=11.6)
    assert from_means == pytest.approx(1 - 8.4 / 11.6)
    assert from_means == pytest.approx(0.2759, abs=1e-4)
    # From the published totals (1,299 over 154, 1,616 over 139) the means are 8.44 and 11.63.
    from_totals = relative_reduction(intervention=1299 / 154, control=1616 / 139)
    assert from_totals == pytest.approx(0.2745, abs=1e-4)
    assert relative_reduction(intervention=3.0, control=0.0) is None  # no harm to reduce


def test_a_zero_cell_gets_a_finite_corrected_interval_and_says_so() -> None:
    result = binary_comparison(a=0, n1=20, c=5, n2=20)
    assert result["risk_ratio_correction"] == 0.5
    assert "0.5 added" in result["risk_ratio_note"]
    # Haldane-Anscombe: 0.5 added to every cell, then the log method; the point estimate too.
    rr = (0.5 / 21) / (5.5 / 21)
    se = math.sqrt(1 / 0.5 - 1 / 21 + 1 / 5.5 - 1 / 21)
    assert result["risk_ratio"] == pytest.approx(rr)
    assert result["risk_ratio_ci95"] == pytest.approx(
        [math.exp(math.log(rr) - Z * se), math.exp(math.log(rr) + Z * se)]
    )


tables = st.tuples(
    st.integers(1, 60), st.integers(0, 60), st.integers(1, 60), st.integers(0, 60)
).map(lambda t: (min(t[0], t[0] + t[1]), t[0] + t[1], min(t[2], t[2] + t[3]), t[2] + t[3]))


@given(tables)
def test_risk_ratio_ci_contains_the_risk_ratio(table: tuple[int, int, int, int]) -> None:
    a, n1, c, n2 = table
    result = risk_ratio_ci(a=a, n1=n1, c=c, n2=n2)
    lo, hi = result["ci95"]
    assert lo <= result["risk_ratio"] * (1 + 1e-12)
    assert result["risk_ratio"] <= hi * (1 + 1e-12)


@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 40))
def test_a_zero_cell_risk_ratio_lies_inside_its_interval(n1: int, n2: int, c: int) -> None:
    # 0 of n1 vs c of n2 (at most n2) re-offending, and the same with the arms swapped.
    c = min(c, n2)
    for a_, n1_, c_, n2_ in ((0, n1, c, n2), (c, n2, 0, n1)):
        result = risk_ratio_ci(a=a_, n1=n1_, c=c_, n2=n2_)
        if a_ == c_ == 0:
            assert result["risk_ratio"] is None
            continue
        lo, hi = result["ci95"]
        assert lo <= result["risk_ratio"] <= hi


@given(tables)
def test_swapping_arms_inverts_the_risk_ratio_and_negates_the_difference(
    table: tuple[int, int, int, int],
) -> None:
    a, n1, c, n2 = table
    forward = binary_comparison(a=a, n1=n1, c=c, n2=n2)
    backward = binary_comparison(a=c, n1=n2, c=a, n2=n1)
    assert backward["risk_ratio"] == pytest.approx(1 / forward["risk_ratio"])
    lo, hi = forward["risk_ratio_ci95"]
    assert backward["risk_ratio_ci95"] == pytest.approx([1 / hi, 1 / lo])
    assert backward["risk_difference"] == pytest.approx(-forward["risk_difference"], abs=1e-12)
    assert backward["p_value"] == pytest.approx(forward["p_value"])
