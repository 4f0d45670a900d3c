"""The report follows the analysis plan in force at the cut: what is primary, the minimum per arm,
the interim looks the boundary is judged by, and the plan's version and late changes."""

from __future__ import annotations

import dataclasses
import datetime
import re

import pytest
from django.utils import timezone

from common.roles import Role
from plans.services import plan_save
from reports.analysis.results import analyse
from reports.rendering.pdf import render_report_html
from reports.selectors import analysis_dataset
from tests.plans.support import cara_plan, unblinded_report
from tests.reports.conftest import outcomes_trial
from tests.support.factories import make_user


def _text(results: dict, report_type: str = "final") -> str:
    html = render_report_html(
        results=results,
        report_type=report_type,
        generated_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
        generated_by="test",
    )
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.django_db
def test_without_a_plan_the_report_says_so_and_uses_the_defaults() -> None:
    live = outcomes_trial(per_arm=4)
    today = timezone.localdate()
    dataset = analysis_dataset(trial=live.trial, window_months=12, data_cut=today)
    assert dataset.meta.plan is None
    results = analyse(dataset=dataset, reps=1000)
    assert results["meta"]["plan"] is None
    assert "suppressed" in results["estimates"]  # 4 per arm, below the default 10
    text = _text(results)
    assert "Primary outcome: harm (CCHI days per man), by default" in text
    assert "No statistical analysis plan was declared for this trial by the data cut" in text


@pytest.mark.django_db
def test_the_plan_in_force_decides_primary_minimum_looks_and_shows_late_changes() -> None:
    live = outcomes_trial(per_arm=4)
    manager = make_user(Role.TRIAL_MANAGER, trial=live.trial)
    plan_save(
        actor=manager,
        trial=live.trial,
        **cara_plan(
            primary_outcome="prevalence",
            secondary_outcomes=["harm", "frequency"],
            min_per_arm=3,
            planned_n=40,
        ),
    )
    unblinded_report(live.trial)
    plan_save(
        actor=manager, trial=live.trial, planned_n=48, reason="Recruitment extended by the DMC"
    )
    today = timezone.localdate()
    dataset = analysis_dataset(trial=live.trial, window_months=12, data_cut=today)
    meta = dataset.meta
    assert (meta.min_per_arm, meta.planned_sample_size, meta.interim_looks) == (3, 48, 1)
    assert meta.spending == "obrien_fleming"
    results = analyse(dataset=dataset, reps=1000)
    assert results["meta"]["plan"]["version"] == 2
    assert "suppressed" not in results["estimates"]  # 4 per arm meets the plan's 3
    interim = analyse(
        dataset=dataclasses.replace(dataset, meta=dataclasses.replace(meta, interim=True)),
        reps=1000,
    )
    monitoring = interim["monitoring"]
    assert monitoring["planned"] is True
    # At an interim look the cover states differences in neutral words, under the boundary box.
    cover = _text(interim, "interim").split("1. Participant flow")[0]
    assert "Interim monitoring" in cover
    assert "relative difference" in cover
    assert "less harm" not in cover
    assert "fewer re-offended" not in cover
    text = _text(results)
    day = today.strftime("%d/%m/%Y")
    assert (
        f"Primary outcome: prevalence (men who re-offended), as analysis plan version 2 of {day}"
        in text
    )
    assert "Changed after unblinding: version 2" in text
    assert "Recruitment extended by the DMC" in text
    assert "ISRCTN12345678" in text  # the registration, in the CONSORT statements
    assert "48 men (both arms)" in text
