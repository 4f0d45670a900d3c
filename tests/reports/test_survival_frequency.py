"""Kaplan-Meier, log-rank and the Poisson rate ratio against estimates worked by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from reports.analysis.dataset import AnalysisDataset
from reports.analysis.frequency import frequency_comparison
from reports.analysis.results import analyse
from reports.analysis.survival import durations, kaplan_meier
from tests.reports.builders import meta, person

Z = NormalDist().inv_cdf(0.975)


@pytest.mark.smoke
def test_kaplan_meier_matches_the_product_limit_worked_by_hand() -> None:
    # Six men: re-offences on days 3, 6 and 8; follow-up ended (censored) on days 5, 6 and 10.
    days_to_first = np.array([3, np.nan, 6, np.nan, 8, np.nan])
    follow_up = np.array([365, 5, 365, 6, 365, 10])
    time, observed = durations(days_to_first=days_to_first, follow_up_days=follow_up)

    km = kaplan_meier(time=time, observed=observed)

    curve = dict(zip(km["curve"]["days"], km["curve"]["survival"], strict=True))
    # Day 3: 6 at risk, 1 event -> 5/6. Day 6: 4 at risk (the day-6 censoring still at risk),
    # 1 event -> 5/6 * 3/4. Day 8: 2 at risk, 1 event -> * 1/2.
    assert curve[3.0] == pytest.approx(5 / 6)
    assert curve[5.0] == pytest.approx(5 / 6)
    assert curve[6.0] == pytest.approx(5 / 6 * 3 / 4)
    assert curve[8.0] == pytest.approx(5 / 6 * 3 / 4 * 1 / 2)
    assert km["survival_at_end"] == pytest.approx(0.3125)
    assert km["median_days"] == 8
    assert (km["events"], km["censored"]) == (3, 3)


def test_log_rank_separates_arms_that_differ_and_not_arms_that_do_not() -> None:
    rows = [person(i, "cara", offences=1, harm=1.0, days_to_first=300) for i in range(5)]
    rows += [person(10 + i, "cara") for i in range(15)]
    rows += [person(100 + i, "control", offences=1, harm=1.0, days_to_first=20) for i in range(15)]
    rows += [person(200 + i, "control") for i in range(5)]
    result = analyse(dataset=AnalysisDataset(meta=meta(), rows=tuple(rows)), reps=1000)
    assert result["survival"]["logrank_p_value"] < 0.001
    assert result["survival"]["arms"]["control"]["median_days"] == 20
    assert result["survival"]["arms"]["cara"]["median_days"] is None  # fewer than half re-offended


def test_poisson_rate_ratio_and_robust_ci_match_the_two_group_closed_form() -> None:
    offences_i = np.array([0, 0, 1, 0, 3, 0, 1, 0, 0, 2])
    offences_c = np.array([1, 0, 2, 4, 0, 1, 0, 3, 0, 1])
    days = np.full(10, 365)

    result = frequency_comparison(
        offences_i=offences_i, days_i=days, offences_c=offences_c, days_c=days
    )

    # Equal follow-up: the rate ratio is the ratio of means; the sandwich variance of a group's
    # log mean is sum((y - mean)^2) / (sum y)^2.
    rr = offences_i.mean() / offences_c.mean()
    var = (
        sum((offences_i - offences_i.mean()) ** 2) / offences_i.sum() ** 2
        + sum((offences_c - offences_c.mean()) ** 2) / offences_c.sum() ** 2
    )
    se = math.sqrt(var)
    assert result["rate_ratio"] == pytest.approx(rr)
    assert result["rate_ratio_ci95"] == pytest.approx(
        [math.exp(math.log(rr) - Z * se), math.exp(math.log(rr) + Z * se)], rel=1e-6
    )


def test_offences_per_participant_and_per_reoffender_per_arm() -> None:
    rows = [person(0, "cara", offences=3, harm=5.0), person(1, "cara"), person(2, "cara")]
    rows += [person(3, "control", offences=2, harm=1.0), person(4, "control", offences=4, harm=9.0)]
    # A hand-sized table: the plan's minimum per arm lowered so the rate ratio is shown.
    result = analyse(dataset=AnalysisDataset(meta=meta(min_per_arm=1), rows=tuple(rows)), reps=1000)
    cara, control = result["arms"]["cara"], result["arms"]["control"]
    assert (cara["offences_total"], cara["offences_mean"], cara["offences_per_reoffender"]) == (
        3,
        1.0,
        3.0,
    )
    assert control["offences_mean"] == 3.0
    assert control["harm_per_reoffender"] == 5.0
    assert result["frequency"]["rate_ratio"] == pytest.approx(1 / 3)
