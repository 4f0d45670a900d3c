"""Report runs: the same cut gives the same numbers, a cut's snapshots only, automatic reports."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from common.exceptions import NotAllowedError
from common.roles import Role
from reports.analysis.results import analyse
from reports.models import ReportRun, RunStatus
from reports.selectors import analysis_dataset
from reports.services.runs import _transition, auto_reports_request, report_build, report_request
from tests.reports.conftest import outcomes_trial, pdf_text
from tests.reports.support import CUT, freeze
from tests.support.factories import make_trial, make_user

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def _request(trial: Any, **kwargs: Any) -> ReportRun:
    values = {"window_months": 12, "data_cut": CUT, "report_type": "interim", "blinded": False}
    return report_request(trial=trial, by=None, **{**values, **kwargs})


def test_asking_twice_for_the_same_cut_gives_the_same_report_and_numbers(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    live = outcomes_trial()
    with django_capture_on_commit_callbacks(execute=True):
        first = _request(live.trial)
    first.refresh_from_db()
    assert first.status == RunStatus.DONE
    with django_capture_on_commit_callbacks(execute=True) as queued:
        again = _request(live.trial)
    assert again.pk == first.pk
    assert queued == []  # nothing rebuilt
    # Recomputed from the snapshots, the numbers are the same to the last digit.
    dataset = analysis_dataset(trial=live.trial, window_months=12, data_cut=CUT)
    # An interim look, as the build marks it (its results carry the monitoring block).
    dataset = dataclasses.replace(dataset, meta=dataclasses.replace(dataset.meta, interim=True))
    assert json.dumps(analyse(dataset=dataset), sort_keys=True) == json.dumps(
        first.results, sort_keys=True
    )
    assert first.results is not None
    assert first.results["arms"]["control"]["reoffended"] == 3
    assert first.results["arms"]["cara"]["harm_total"] == 10
    text = pdf_text(first.pdf.path)
    assert "Interim" in text
    assert first.dataset_sha256 in text.replace("\n", "").replace(" ", "")


def test_a_blinded_report_is_a_run_of_its_own_with_arms_a_and_b(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    live = outcomes_trial()
    with django_capture_on_commit_callbacks(execute=True):
        open_run = _request(live.trial)
        blinded = _request(live.trial, blinded=True)
    blinded.refresh_from_db()
    assert blinded.pk != open_run.pk
    assert blinded.dataset_sha256 == open_run.dataset_sha256
    assert blinded.results is not None
    assert set(blinded.results["arms"]) == {"A", "B"}
    assert "CARA workshops" not in pdf_text(blinded.pdf.path)


def test_snapshots_arriving_after_the_cut_do_not_reach_the_report() -> None:
    live = outcomes_trial()
    run = _request(live.trial, queue=False)
    late = CUT + datetime.timedelta(days=1)
    for case in live.in_arm("cara")[1:]:  # a wave of corrections after the cut, mid-build
        assert case.allocation is not None
        freeze(case.allocation, version=2, data_cut=late, offences=5, harm="99")

    run = report_build(run=run)

    assert run.status == RunStatus.DONE
    assert run.results is not None
    assert run.results["arms"]["cara"]["reoffended"] == 1
    assert run.results["arms"]["cara"]["harm_total"] == 10


def test_data_changed_on_the_cut_day_after_the_request_fails_with_a_reason() -> None:
    live = outcomes_trial()
    run = _request(live.trial, queue=False)
    case = live.in_arm("cara")[1]
    assert case.allocation is not None
    freeze(case.allocation, version=2, data_cut=CUT, offences=1, harm="3")

    run = report_build(run=run)

    assert run.status == RunStatus.FAILED
    assert "changed after the report was requested" in run.error
    assert not run.pdf
    again = report_build(run=run)  # a second delivery of the task changes nothing
    assert again.status == RunStatus.FAILED


@pytest.mark.smoke
def test_status_changes_follow_the_table() -> None:
    run = ReportRun(status=RunStatus.DONE)
    with pytest.raises(NotAllowedError):
        _transition(run, RunStatus.QUEUED)
    run = ReportRun(status=RunStatus.FAILED)
    _transition(run, RunStatus.QUEUED)
    assert run.status == RunStatus.QUEUED


def test_a_follow_up_wave_builds_a_blinded_interim_report_and_tells_the_committee_once(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    live = outcomes_trial(research_email="cara-research@cam.example")
    make_user(Role.RESEARCHER, email="rita@cam.example")
    make_user(Role.OFFICER, email="olivia@police.example")
    make_user(Role.DATA_MONITORING_COMMITTEE, email="dora@dmc.example")
    day_after = CUT + datetime.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        runs = auto_reports_request(trial=live.trial, today=day_after)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            auto_reports_request(trial=live.trial, today=day_after + datetime.timedelta(days=1))
            == []
        )

    assert len(runs) == 1
    run = ReportRun.objects.get()
    assert (run.automatic, run.status, run.data_cut, run.window_months, run.blinded) == (
        True,
        RunStatus.DONE,
        CUT,
        12,
        True,
    )
    assert len(mail.outbox) == 1
    # An interim look is the committee's: researchers and the research address hear nothing.
    assert mail.outbox[0].bcc == ["dora@dmc.example"]
    assert "12-month" in mail.outbox[0].subject
    assert f"{settings.SITE_URL}{reverse('reports:run', args=[run.pk])} " in mail.outbox[0].body
    assert run.notified_at is not None
    # The wave of the day itself waits for tomorrow: it may still be running.
    assert auto_reports_request(trial=live.trial, today=CUT) == []


def test_an_automatic_report_is_told_to_its_own_trials_committee_only(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    live = outcomes_trial(research_email="cara-research@cam.example")
    other = make_trial("WMP", title="West Midlands", research_email="wmp-research@uni.example")
    make_user(Role.RESEARCHER, trial=live.trial, email="rita@cam.example")
    make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial, email="dora@dmc.example")
    make_user(Role.DATA_MONITORING_COMMITTEE, trial=other, email="walter@uni.example")
    make_user(Role.TRIAL_MANAGER, trial=live.trial, email="tom@cam.example")

    with django_capture_on_commit_callbacks(execute=True):
        (run,) = auto_reports_request(trial=live.trial, today=CUT + datetime.timedelta(days=1))

    assert auto_reports_request(trial=other, today=CUT + datetime.timedelta(days=1)) == []
    assert run.trial == live.trial
    (sent,) = mail.outbox
    # Not the other trial's committee, nor this trial's researchers or research address.
    assert sent.bcc == ["dora@dmc.example"]
    assert sent.to == []
