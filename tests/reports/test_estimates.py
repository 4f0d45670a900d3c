"""RI, relative harm, MH RR, Cox and score intervals against independent computations."""

from __future__ import annotations

import dataclasses
import math
import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.proportion import confint_proportions_2indep

from common.exceptions import DomainError
from reports.analysis.dataset import AnalysisDataset
from reports.analysis.inference import randomisation_inference, two_arm_blocks
from reports.analysis.intervals import newcombe_ci, ratio_of_means
from reports.analysis.negbin import negative_binomial_rate_ratio
from reports.analysis.results import analyse
from reports.analysis.stratified import cox_hazard_ratio, mantel_haenszel_rr, stratified_logrank_p
from tests.reports.builders import meta, person, two_by_two

Z = NormalDist().inv_cdf(0.975)


def _skewed_harm(n: int, seed: int) -> np.ndarray:
    """Return CCHI-like harm: most men none, a few a lot."""
    rng = np.random.default_rng(seed)
    return np.round(rng.exponential(20, n) * (rng.random(n) < 0.3), 1)


def test_unstratified_permutation_p_matches_scipys_exact_permutation_test() -> None:
    y = np.concatenate([_skewed_harm(8, 1) * 0.3, _skewed_harm(8, 2)])
    treated = np.arange(16) < 8
    ours = randomisation_inference(
        y=y,
        treated=treated,
        strata=np.zeros(16),
        order=np.arange(16),
        blocks=None,
        draws=20_000,
        seed=7,
    )
    # |difference in means| with "greater" is the same two-sided rule; 8 vs 8 is enumerated exactly.
    exact = stats.permutation_test(
        (y[treated], y[~treated]),
        lambda a, b, axis: np.abs(a.mean(axis=axis) - b.mean(axis=axis)),
        permutation_type="independent",
        alternative="greater",
        n_resamples=np.inf,
        vectorized=True,
    ).pvalue
    assert abs(ours["p_value"] - exact) < 4 * ours["p_value_mc_se"] + 1e-4
    assert ours["draws"] == 20_000
    assert ours["seed"] == 7


def _hand_block_p(
    y: np.ndarray, treated: np.ndarray, strata: list[str], draws: int, seed: int
) -> float:
    """Re-randomise with a plain loop: blocks of 2, 4 or 6 (half treated) per stratum, in order."""
    rng = np.random.default_rng(seed)
    observed = abs(y[treated].mean() - y[~treated].mean())
    extreme = 0
    for _ in range(draws):
        alloc = np.zeros(y.size, dtype=bool)
        for s in sorted(set(strata)):
            members = [i for i in range(y.size) if strata[i] == s]
            labels: list[bool] = []
            while len(labels) < len(members):
                size = int(rng.choice([2, 4, 6]))
                block = [True] * (size // 2) + [False] * (size // 2)
                rng.shuffle(block)
                labels += block
            alloc[members] = labels[: len(members)]
        if alloc.all() or not alloc.any():
            continue
        stat = abs(y[alloc].mean() - y[~alloc].mean())
        extreme += stat >= observed - 1e-9
    return (1 + extreme) / (1 + draws)


def test_stratified_block_p_matches_a_plain_loop_over_draws() -> None:
    n = 30
    y = _skewed_harm(n, 3)
    strata = ["north" if i % 3 else "south" for i in range(n)]
    # Allocated in order by blocks of 2, so the observed allocation is one the scheme can make.
    treated = np.array([i % 2 == 0 for i in range(n)])
    y = y + 6.0 * ~treated
    ours = randomisation_inference(
        y=y,
        treated=treated,
        strata=np.array(strata),
        order=np.arange(n),
        blocks=[(2, 1), (4, 2), (6, 3)],
        draws=20_000,
        seed=11,
    )
    hand = _hand_block_p(y, treated, strata, draws=4000, seed=5)
    se = math.sqrt(hand * (1 - hand) / 4000) + ours["p_value_mc_se"]
    assert abs(ours["p_value"] - hand) < 4 * se + 1e-3


def test_ri_interval_holds_the_shifts_the_test_does_not_reject() -> None:
    y = np.concatenate([_skewed_harm(40, 4), _skewed_harm(40, 5) + 5])
    treated = np.arange(80) < 40
    found = randomisation_inference(
        y=y,
        treated=treated,
        strata=np.zeros(80),
        order=np.arange(80),
        blocks=None,
        draws=4000,
        seed=1,
    )
    lo, hi = found["ci95"]
    assert lo < found["estimate"] < hi
    for delta, rejected in ((lo - 0.5, True), ((lo + hi) / 2, False), (hi + 0.5, True)):
        shifted = y - delta * treated
        p = stats.permutation_test(
            (shifted[treated], shifted[~treated]),
            lambda a, b, axis: np.abs(a.mean(axis=axis) - b.mean(axis=axis)),
            permutation_type="independent",
            alternative="greater",
            n_resamples=4000,
            vectorized=True,
            random_state=2,
        ).pvalue
        assert (p < 0.05) == rejected


def test_relative_harm_reduction_ci_is_the_hand_delta_method() -> None:
    harm_i = np.array([0, 0, 0, 4.0, 10.0, 0, 2.0, 0, 0, 30.0])
    harm_c = np.array([0, 8.0, 0, 12.0, 0, 40.0, 0, 6.0, 0, 0, 3.0])
    m_i, m_c = harm_i.mean(), harm_c.mean()
    se = math.sqrt(harm_i.var(ddof=1) / (10 * m_i**2) + harm_c.var(ddof=1) / (11 * m_c**2))
    lo, hi = (m_i / m_c) * math.exp(-Z * se), (m_i / m_c) * math.exp(Z * se)

    found = ratio_of_means(intervention=harm_i, control=harm_c)

    assert found["ratio"] == pytest.approx(m_i / m_c)
    assert found["ratio_ci95"] == pytest.approx([lo, hi])
    assert found["relative_reduction"] == pytest.approx(1 - m_i / m_c)
    assert found["relative_reduction_ci95"] == pytest.approx([1 - hi, 1 - lo])


def test_relative_harm_reduction_is_none_with_a_reason_when_control_has_no_harm() -> None:
    found = ratio_of_means(intervention=np.array([0, 3.0]), control=np.zeros(5))
    assert found["ratio"] is None
    assert found["relative_reduction"] is None
    assert "reference arm" in found["reason"]


def test_mantel_haenszel_rr_matches_hand_greenland_robins_and_statsmodels_point() -> None:
    tables = [(8, 40, 14, 38), (5, 30, 9, 33), (3, 20, 2, 18)]
    r = sum(a * n2 / (n1 + n2) for a, n1, c, n2 in tables)
    s = sum(c * n1 / (n1 + n2) for a, n1, c, n2 in tables)
    p = sum((n1 * n2 * (a + c) - a * c * (n1 + n2)) / (n1 + n2) ** 2 for a, n1, c, n2 in tables)
    se = math.sqrt(p / (r * s))

    found = mantel_haenszel_rr(tables=[*tables, (2, 5, 0, 0)])

    assert found["risk_ratio"] == pytest.approx(r / s)
    assert found["ci95"] == pytest.approx([(r / s) * math.exp(-Z * se), (r / s) * math.exp(Z * se)])
    pooled = StratifiedTable([np.array([[a, n1 - a], [c, n2 - c]]) for a, n1, c, n2 in tables])
    assert found["risk_ratio"] == pytest.approx(pooled.riskratio_pooled)
    assert found["strata_dropped"] == 1
    assert "left out" in found["reason"]


def test_cox_hazard_ratio_agrees_with_statsmodels_phreg_by_stratum() -> None:
    rng = np.random.default_rng(9)
    n = 200
    treated = rng.random(n) < 0.5
    strata = rng.choice(["north", "south", "east"], n)
    time = np.minimum(np.ceil(rng.exponential(np.where(treated, 500, 330))), 365)
    observed = time < 365

    found = cox_hazard_ratio(time=time, observed=observed, treated=treated, strata=strata)

    frame = pd.DataFrame({"treated": treated.astype(float)})
    fit = PHReg(time, frame, status=observed.astype(int), strata=strata, ties="efron").fit()
    beta, se = float(fit.params[0]), float(fit.bse[0])
    assert math.log(found["hazard_ratio"]) == pytest.approx(beta, abs=1e-4)
    assert found["ci95"] == pytest.approx(
        [math.exp(beta - Z * se), math.exp(beta + Z * se)], abs=1e-4
    )


def test_newcombe_interval_matches_statsmodels() -> None:
    for a, n1, c, n2 in ((0, 12, 5, 12), (12, 50, 20, 48), (3, 10, 8, 10)):
        expected = confint_proportions_2indep(a, n1, c, n2, method="newcomb", compare="diff")
        assert newcombe_ci(a=a, n1=n1, c=c, n2=n2) == pytest.approx(list(expected))


def _stratified_history() -> AnalysisDataset:
    """Return 120 men allocated in blocks of 2 per area, the workshop men with less harm."""
    rows = []
    harm = _skewed_harm(120, 12)
    for i in range(120):
        arm = "cara" if (i // 2) % 2 == i % 2 else "control"
        value = float(harm[i] * (0.5 if arm == "cara" else 1.0))
        rows.append(
            person(
                i,
                arm,
                offences=1 if value else 0,
                harm=value,
                days_to_first=50 + i if value else None,
                stratum="area=north" if (i // 2) % 2 else "area=south",
            )
        )
    return AnalysisDataset(meta=meta(), rows=tuple(rows))


def test_the_report_carries_the_primary_estimates_matching_independent_figures() -> None:
    dataset = _stratified_history()
    results = analyse(dataset=dataset, reps=1000, draws=2000)
    est = results["estimates"]
    frame = pd.DataFrame([dataclasses.asdict(r) for r in dataset.rows])
    cara, ctrl = frame[frame.arm == "cara"], frame[frame.arm == "control"]
    ratio = cara.harm.mean() / ctrl.harm.mean()
    assert est["relative_harm"]["relative_reduction"] == pytest.approx(1 - ratio)
    assert est["randomisation_inference"]["draws"] == 2000
    assert 0 < est["randomisation_inference"]["p_value"] <= 1
    tables = [
        np.array(
            [
                [g[g.arm == "cara"].reoffended.sum(), (~g[g.arm == "cara"].reoffended).sum()],
                [g[g.arm == "control"].reoffended.sum(), (~g[g.arm == "control"].reoffended).sum()],
            ]
        )
        for _, g in frame.groupby("stratum")
    ]
    assert est["mantel_haenszel_rr"]["risk_ratio"] == pytest.approx(
        StratifiedTable(tables).riskratio_pooled
    )
    lo, hi = est["cox"]["ci95"]
    assert lo < est["cox"]["hazard_ratio"] < hi


@pytest.mark.parametrize("reps", [1, -5, 999])
def test_too_few_bootstrap_resamples_are_refused(reps: int) -> None:
    with pytest.raises(DomainError, match="at least 1000"):
        analyse(dataset=two_by_two(a=4, n1=20, c=6, n2=20), reps=reps)


def test_too_few_randomisation_draws_are_refused() -> None:
    with pytest.raises(DomainError, match="at least 1000 draws"):
        analyse(dataset=two_by_two(a=4, n1=20, c=6, n2=20), reps=1000, draws=10)


@pytest.mark.parametrize(("a", "n1", "c", "n2"), [(0, 4, 3, 4), (1, 1, 0, 1), (1, 2, 0, 1)])
def test_small_samples_show_no_estimates_and_say_why(a: int, n1: int, c: int, n2: int) -> None:
    results = analyse(dataset=two_by_two(a=a, n1=n1, c=c, n2=n2), reps=1000, draws=1000)
    assert "not shown" in results["estimates"]["suppressed"]
    assert "minimum of 10" in results["estimates"]["suppressed"]
    # No comparison figure survives to be printed: no "0.00 (0.01 to 2.11)", no "-400% less".
    prevalence, harm = results["prevalence"], results["harm"]
    assert prevalence["suppressed"] == results["estimates"]["suppressed"]
    assert prevalence["risk_ratio"] is None
    assert prevalence["risk_ratio_ci95"] == [None, None]
    assert harm["relative_reduction"] is None
    assert harm["mean_difference_ci95"] == [None, None]
    assert results["secondary"]["cace"] is None
    assert results["arms"]["cara"]["n"] == n1  # the counts are still reported


def test_everyone_reoffending_raises_no_warning_and_gives_finite_figures() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = analyse(dataset=two_by_two(a=12, n1=12, c=12, n2=12), reps=1000, draws=1000)
    assert results["estimates"]["risk_difference"]["risk_difference"] == 0


def test_cace_is_not_estimated_when_hardly_anyone_attended() -> None:
    rows = [
        person(i, "cara", offences=1 if i < 4 else 0, harm=2.0 if i < 4 else 0.0) for i in range(20)
    ]
    rows = [
        dataclasses.replace(r, workshops_attended=2 if i == 0 else 0) for i, r in enumerate(rows)
    ]
    rows += [person(100 + j, "control", offences=1 if j < 12 else 0) for j in range(20)]
    rows = [dataclasses.replace(r, harm=2.0, days_to_first=100) if r.offences else r for r in rows]
    results = analyse(dataset=AnalysisDataset(meta=meta(), rows=tuple(rows)), reps=1000)
    cace = results["secondary"]["cace"]
    assert cace["compliance"] == pytest.approx(0.05)
    assert "not estimated" in cace["note"]
    assert "risk_difference" not in cace


def test_negative_binomial_rate_ratio_agrees_with_the_glm_at_its_alpha() -> None:
    rng = np.random.default_rng(21)
    n = 400
    treated = rng.random(n) < 0.5
    days = rng.integers(200, 366, n)
    mean = np.where(treated, 0.4, 0.7) * days / 365
    offences = rng.negative_binomial(0.5, 0.5 / (0.5 + mean))

    found = negative_binomial_rate_ratio(offences=offences, treated=treated, days=days)

    exog = np.column_stack([np.ones(n), treated.astype(float)])
    glm = sm.GLM(
        offences,
        exog,
        family=sm.families.NegativeBinomial(alpha=found["alpha"]),
        offset=np.log(days.astype(float)),
    ).fit()
    assert math.log(found["rate_ratio"]) == pytest.approx(glm.params[1], abs=1e-4)
    assert found["alpha"] > 0.5  # the counts are over-dispersed, as drawn
    assert "robust Poisson is the primary" in found["model_choice"]


def _hand_stratified_logrank(
    time: np.ndarray, event: np.ndarray, group: np.ndarray, strata: np.ndarray
) -> float:
    """Sum observed-minus-expected and its hypergeometric variance over strata and event days."""
    o_minus_e, var = 0.0, 0.0
    for s in set(strata):
        keep = strata == s
        t, e, g = time[keep], event[keep], group[keep]
        for day in np.unique(t[e == 1]):
            at_risk = t >= day
            n, n1 = at_risk.sum(), (at_risk & g).sum()
            d = ((t == day) & (e == 1)).sum()
            d1 = ((t == day) & (e == 1) & g).sum()
            o_minus_e += d1 - d * n1 / n
            if n > 1:
                var += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    return float(stats.chi2.sf(o_minus_e**2 / var, 1))


def test_stratified_logrank_p_matches_a_hand_computation() -> None:
    rng = np.random.default_rng(4)
    n = 150
    treated = rng.random(n) < 0.5
    strata = rng.choice(["north", "south"], n)
    time = np.minimum(np.ceil(rng.exponential(np.where(treated, 600, 350))), 365)
    event = (time < 365).astype(int)
    found = stratified_logrank_p(time=time, observed=event, treated=treated, strata=strata)
    assert found["p_value"] == pytest.approx(
        _hand_stratified_logrank(time, event, treated, strata), rel=1e-6
    )


def test_blocks_are_restricted_to_the_two_arms_compared_or_refused_when_not_whole() -> None:
    three = {"a": 1, "b": 1, "control": 1}
    assert two_arm_blocks(
        block_sizes=[3, 6], ratios=three, treated_arm="a", control_arm="control"
    ) == [(2, 1), (4, 2)]
    assert (
        two_arm_blocks(block_sizes=[4], ratios=three, treated_arm="a", control_arm="control")
        is None
    )
    assert two_arm_blocks(block_sizes=[], ratios=three, treated_arm="a", control_arm="b") is None


def test_unknown_block_sizes_fall_back_to_permutation_within_strata_and_say_so() -> None:
    dataset = _stratified_history()
    scheme = dataclasses.replace(dataset.meta.randomisation, block_sizes=[])
    unknown = dataclasses.replace(
        dataset, meta=dataclasses.replace(dataset.meta, randomisation=scheme)
    )
    est = analyse(dataset=unknown, reps=1000, draws=1000)["estimates"]
    assert "block sizes not known" in est["randomisation_inference"]["scheme"]
    assert any("permuted arm labels within strata" in note for note in est["notes"])
