"""`manage.py analyse`: the documented JSON keys, a summary, refusals that exit non-zero."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.reports.conftest import outcomes_trial
from tests.reports.support import CUT

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("analyse", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_documented_keys_and_the_numbers_of_the_cut() -> None:
    live = outcomes_trial()
    results = json.loads(
        _run("--trial", "CARA", "--window", "12", "--cut", CUT.isoformat(), "--json")
    )
    for code in ("cara", "control"):
        arm = results["arms"][code]
        assert {"n", "reoffended", "prevalence", "harm_total", "harm_mean"} <= set(arm)
    control, cara = results["arms"]["control"], results["arms"]["cara"]
    assert (control["n"], control["reoffended"], control["harm_total"]) == (4, 3, 33)
    assert (cara["reoffended"], cara["prevalence"], cara["harm_mean"]) == (1, 0.25, 2.5)
    # 4 men per arm is below the minimum of 10: the counts are shown, the estimates are not.
    prevalence, harm = results["prevalence"], results["harm"]
    assert "minimum of 10 per arm" in prevalence["suppressed"]
    assert prevalence["risk_ratio"] is None
    assert harm["mean_difference_ci95"] == [None, None]
    assert "not shown" in results["estimates"]["suppressed"]
    assert "reoffended_same_partner" in cara
    assert "prevalence_domestic" in results
    assert results["consort"]["assessed"] == len(live.cases)
    assert results["meta"]["data_cut"] == CUT.isoformat()


def test_without_json_a_readable_summary() -> None:
    outcomes_trial()
    text = _run("--trial", "cara", "--window", "12", "--cut", CUT.isoformat())
    assert "Caution only (control): n=4, re-offended 3 (75.0%)" in text
    assert "Estimates are not shown: 4 analysed in CARA workshops and 4 in Caution only" in text


def test_summary_gives_the_randomisation_inference_with_its_draws_and_seed() -> None:
    outcomes_trial(per_arm=10)
    text = _run("--trial", "CARA", "--window", "12", "--cut", CUT.isoformat(), "--seed", "7")
    assert "Harm, randomisation inference: p=" in text
    assert "10000 draws, seed 7" in text


@pytest.mark.parametrize("reps", ["1", "-5"])
def test_too_few_resamples_are_refused_with_a_reason(reps: str) -> None:
    outcomes_trial()
    with pytest.raises(CommandError, match="at least 1000 resamples"):
        _run("--trial", "CARA", "--window", "12", "--cut", CUT.isoformat(), "--reps", reps)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trial", "NOPE", "--window", "12"], "--trial NOPE: there is no trial"),
        (["--window", "12"], "the following arguments are required: --trial"),
        (["--trial", "CARA", "--window", "18"], "no 18-month"),
        (["--trial", "CARA", "--window", "24"], "nothing to analyse"),
    ],
)
def test_bad_requests_exit_with_a_reason(args: list[str], message: str) -> None:
    outcomes_trial()
    with pytest.raises(CommandError, match=message):
        _run(*args, "--cut", CUT.isoformat())


def test_a_future_cut_and_an_empty_arm_are_refused() -> None:
    live = outcomes_trial(per_arm=1)
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="in the future"):
        _run("--trial", "CARA", "--window", "12", "--cut", future)
    earlier = CUT - datetime.timedelta(days=1)  # nobody frozen yet: nothing to analyse
    with pytest.raises(CommandError, match="nothing to analyse"):
        _run("--trial", "CARA", "--window", "12", "--cut", earlier.isoformat())
    from tests.reports.support import freeze

    for case in live.in_arm("control"):
        assert case.allocation is not None
        freeze(case.allocation, months=24, data_cut=CUT)
    with pytest.raises(CommandError, match="one arm empty"):
        _run("--trial", "CARA", "--window", "24", "--cut", CUT.isoformat())
