"""The results dict as a researcher reads it: keys, refusals, CONSORT, baseline, secondary."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from common.exceptions import DomainError
from reports.analysis.dataset import AnalysisDataset, ArmInfo, FeedbackAnswer, Screening
from reports.analysis.harm import bootstrap_mean_difference
from reports.analysis.results import analyse
from tests.reports.builders import ARMS, cara_published, meta, person, two_by_two

DOCUMENTED = [
    "arms.cara.n",
    "arms.cara.reoffended",
    "arms.cara.prevalence",
    "arms.cara.harm_total",
    "arms.cara.harm_mean",
    "prevalence.risk_ratio",
    "prevalence.risk_ratio_ci95",
    "prevalence.relative_reduction",
    "prevalence.p_value",
    "prevalence.risk_difference_ci95",
    "prevalence_same_partner.risk_ratio",
    "prevalence_domestic.risk_ratio",
    "harm.relative_reduction",
    "harm.mean_difference_ci95",
    "harm.p_value",
    "frequency.rate_ratio_ci95",
    "survival.logrank_p_value",
    "consort.randomised",
    "secondary.cace.risk_difference",
    "secondary.per_protocol.prevalence.risk_ratio",
]


def _get(results: dict, dotted: str) -> object:
    value: object = results
    for part in dotted.split("."):
        assert isinstance(value, dict), f"{dotted}: {part} is not under a dict"
        assert part in value, f"missing {dotted}"
        value = value[part]
    return value


@pytest.mark.smoke
def test_published_cara_totals_give_documented_keys_and_27_percent_less_harm() -> None:
    results = analyse(dataset=cara_published(), reps=1000)

    for key in DOCUMENTED:
        _get(results, key)
    assert results["arms"]["cara"]["n"] == 154
    assert results["arms"]["control"]["n"] == 139
    assert results["arms"]["cara"]["harm_total"] == pytest.approx(1299)
    assert results["arms"]["control"]["harm_total"] == pytest.approx(1616)
    assert results["arms"]["cara"]["harm_mean"] == pytest.approx(8.435, abs=1e-3)
    assert results["harm"]["relative_reduction"] == pytest.approx(0.2745, abs=1e-4)
    lo, hi = results["harm"]["mean_difference_ci95"]
    assert lo < results["harm"]["mean_difference"] < hi
    # JSON-serialisable without NaN: what `analyse --json` will print.
    json.dumps(results, allow_nan=False)


def test_bootstrap_ci_is_reproducible_for_a_seed_and_ignores_row_order() -> None:
    rng = np.random.default_rng(3)
    x = np.where(rng.random(200) < 0.3, rng.choice([1.0, 5.0, 40.0], 200), 0.0)
    y = np.where(rng.random(180) < 0.4, rng.choice([1.0, 5.0, 40.0], 180), 0.0)

    first = bootstrap_mean_difference(intervention=x, control=y, reps=2000, seed=11)
    again = bootstrap_mean_difference(intervention=x, control=y, reps=2000, seed=11)
    shuffled = bootstrap_mean_difference(
        intervention=rng.permutation(x), control=rng.permutation(y), reps=2000, seed=11
    )
    other_seed = bootstrap_mean_difference(intervention=x, control=y, reps=2000, seed=12)

    assert first == again == shuffled
    assert first != other_seed


def test_bootstrap_ci_agrees_with_a_plain_index_resampling_bootstrap() -> None:
    rng = np.random.default_rng(5)
    x = np.where(rng.random(150) < 0.3, rng.choice([1.0, 5.0, 40.0], 150), 0.0)
    y = np.where(rng.random(150) < 0.4, rng.choice([1.0, 5.0, 40.0], 150), 0.0)
    ours = bootstrap_mean_difference(intervention=x, control=y, reps=4000, seed=1)
    # The textbook bootstrap: resample indices with replacement, 20,000 times.
    plain = np.random.default_rng(99)
    diffs = x[plain.integers(0, x.size, (20000, x.size))].mean(axis=1) - y[
        plain.integers(0, y.size, (20000, y.size))
    ].mean(axis=1)
    expected = np.percentile(diffs, [2.5, 97.5])
    assert ours == pytest.approx(list(expected), abs=0.35)


def test_an_arm_with_nobody_is_refused_with_a_clear_message() -> None:
    rows = tuple(person(i, "cara") for i in range(5))
    with pytest.raises(DomainError, match="No participant in Caution only"):
        analyse(dataset=AnalysisDataset(meta=meta(), rows=rows))


def test_a_dataset_without_participants_is_refused() -> None:
    with pytest.raises(DomainError, match="no randomised participants"):
        analyse(dataset=AnalysisDataset(meta=meta(), rows=()))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"arm": "elsewhere"}, "arm the trial does not have"),
        ({"offences": 1, "harm": 1.0, "days_to_first": None}, "Days to first"),
        ({"reoffended_same_partner": True}, "same partner"),
        ({"workshops_attended": 3}, "0, 1 or 2"),
    ],
)
def test_rows_that_contradict_themselves_are_refused(fields: dict, message: str) -> None:
    arm = fields.pop("arm", "cara")
    rows = (person(0, arm, **fields), person(1, "control"))
    with pytest.raises(DomainError, match=message):
        analyse(dataset=AnalysisDataset(meta=meta(), rows=rows))


def test_consort_counts_never_recorded_are_none_not_zero() -> None:
    imported = analyse(dataset=two_by_two(a=2, n1=6, c=3, n2=6), reps=1000)["consort"]
    assert imported["assessed"] is None
    assert imported["excluded_by_reason"] is None

    screening = Screening(assessed=40, excluded_by_reason={"high risk": 10, "no consent": 18})
    consort = analyse(dataset=two_by_two(a=2, n1=6, c=3, n2=6, screening=screening), reps=1000)[
        "consort"
    ]
    assert (consort["assessed"], consort["excluded"], consort["randomised"]) == (40, 28, 12)
    assert consort["excluded_by_reason"] == {"high risk": 10, "no consent": 18}
    assert consort["arms"]["cara"]["allocated"] == 6
    assert consort["arms"]["cara"]["received"] == 6
    assert consort["arms"]["control"]["received"] is None  # control has no workshops
    assert consort["arms"]["control"]["analysed"] == 6


def test_workshop_attendance_not_recorded_shows_as_such_and_skips_secondary_analyses() -> None:
    base = two_by_two(a=2, n1=6, c=3, n2=6)
    rows = tuple(dataclasses.replace(r, workshops_attended=None) for r in base.rows)
    results = analyse(dataset=AnalysisDataset(meta=base.meta, rows=rows), reps=1000)
    assert results["consort"]["arms"]["cara"]["received"] is None
    assert results["consort"]["arms"]["cara"]["received_not_recorded"] == 6
    assert results["compliance"]["cara"]["proportion_completed"] is None
    assert results["secondary"] == {"per_protocol": None, "cace": None}


def test_cace_is_the_itt_effect_divided_by_compliance() -> None:
    results = analyse(dataset=cara_published(), reps=1000)
    compliance = results["compliance"]["cara"]
    # Every fifth workshop man attended only one workshop.
    assert compliance["attended_1"] == 31
    assert compliance["attended_2"] == 123
    share = 123 / 154
    cace = results["secondary"]["cace"]
    assert cace["analysis"] == "secondary"
    assert cace["compliance"] == pytest.approx(share)
    assert cace["risk_difference"] == pytest.approx(
        results["prevalence"]["risk_difference"] / share
    )
    assert cace["harm_mean_difference"] == pytest.approx(results["harm"]["mean_difference"] / share)
    lo, hi = cace["harm_mean_difference_ci95"]
    assert lo < cace["harm_mean_difference"] < hi
    per_protocol = results["secondary"]["per_protocol"]
    assert per_protocol["n_intervention"] == 123
    assert per_protocol["analysis"] == "secondary"


def test_baseline_table_gives_age_and_category_percentages_by_arm() -> None:
    rows = [
        person(0, "cara", age=20, dash_risk="medium"),
        person(1, "cara", age=30),
        person(2, "cara", age=None),
        person(3, "control", age=40, offence_type="harassment"),
    ]
    baseline = analyse(dataset=AnalysisDataset(meta=meta(), rows=tuple(rows)), reps=1000)[
        "baseline"
    ]
    assert baseline["age"]["cara"] == {
        "n": 2,
        "mean": 25.0,
        "sd": pytest.approx(7.0711, abs=1e-4),
        "missing": 1,
    }
    assert baseline["dash_risk"]["medium"]["cara"] == {"n": 1, "percent": pytest.approx(100 / 3)}
    assert baseline["offence_type"]["harassment"]["control"] == {"n": 1, "percent": 100.0}
    assert baseline["offence_type"]["harassment"]["cara"] == {"n": 0, "percent": 0.0}


def test_each_intervention_arm_is_compared_with_control() -> None:
    arms = (*ARMS, ArmInfo(code="letter", name="Letter only", is_intervention=True))
    rows = [person(i, "cara", offences=int(i < 2), harm=float(i < 2)) for i in range(10)]
    rows += [person(20 + i, "control", offences=int(i < 5), harm=float(i < 5)) for i in range(10)]
    rows += [
        person(40 + i, "letter", offences=int(i < 4), harm=float(i < 4), workshops_attended=None)
        for i in range(10)
    ]
    results = analyse(dataset=AnalysisDataset(meta=meta(arms=arms), rows=tuple(rows)), reps=1000)
    assert set(results["comparisons"]) == {"cara_vs_control", "letter_vs_control"}
    assert results["comparisons"]["letter_vs_control"]["prevalence"]["risk_ratio"] == pytest.approx(
        0.8
    )
    assert results["prevalence"]["risk_ratio"] == pytest.approx(0.4)  # primary: the first arm


def test_feedback_reports_the_percentage_agreeing() -> None:
    answers = tuple(
        FeedbackAnswer(question="The workshop was useful", score=s) for s in (5, 4, 4, 2, 3)
    )
    results = analyse(dataset=two_by_two(a=1, n1=4, c=2, n2=4, feedback=answers), reps=1000)
    assert results["feedback"]["questions"] == [
        {"question": "The workshop was useful", "n": 5, "agree": 3, "percent_agree": 60.0}
    ]
    assert analyse(dataset=two_by_two(a=1, n1=4, c=2, n2=4), reps=1000)["feedback"] is None


def test_the_same_data_cut_gives_identical_results() -> None:
    dataset = cara_published()
    assert analyse(dataset=dataset, reps=1000) == analyse(dataset=dataset, reps=1000)
