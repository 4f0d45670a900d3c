"""A researcher of one trial cannot see, request or download another trial's reports (issue 14)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import Client
from django.urls import reverse

from common.exceptions import NotAllowedError
from common.roles import Role
from reports import tasks
from reports.models import ReportRun
from reports.selectors import reportable_trials, run_get, runs_visible_to, trial_summaries
from reports.services import report_build, report_request, run_disclose
from tests.reports.conftest import outcomes_trial
from tests.reports.support import CUT
from tests.support.factories import grant, make_user
from tests.support.signin import confirm_sign_in
from trial.models import Trial

pytestmark = pytest.mark.django_db
WHY = {"purpose": "final_analysis", "recipient": "the trial statistician"}


def _built(trial: Trial) -> ReportRun:
    run = report_request(
        trial=trial,
        window_months=12,
        data_cut=CUT,
        report_type="interim",
        blinded=False,
        by=None,
        queue=False,
    )
    return report_build(run=run)


@pytest.fixture
def trials() -> tuple[Trial, Trial]:
    """Trials HANTS and WMP, each with a 12-month window frozen."""
    return outcomes_trial(code="HANTS").trial, outcomes_trial(code="WMP").trial


def _client(role: Role, trial: Trial) -> Client:
    client = Client()
    client.force_login(make_user(role, trial=trial))
    confirm_sign_in(client)
    return client


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.TRIAL_MANAGER])
def test_another_trials_runs_and_downloads_are_not_there(
    role: Role, trials: tuple[Trial, Trial]
) -> None:
    hants, wmp = trials
    mine, theirs = _built(hants), _built(wmp)
    client = _client(role, hants)
    for name in ("run", "progress", "pdf", "dataset"):
        assert client.get(reverse(f"reports:{name}", args=[mine.pk])).status_code == 200
        url = reverse(f"reports:{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, WHY).status_code == 404


def test_the_dashboard_and_the_form_name_only_the_researchers_trial(
    trials: tuple[Trial, Trial],
) -> None:
    hants, wmp = trials
    mine, theirs = _built(hants), _built(wmp)
    page = _client(Role.RESEARCHER, hants).get(reverse("reports:dashboard"))
    text = page.content.decode()
    assert [s.trial.code for s in page.context["summaries"]] == ["HANTS"]
    assert [t.code for t in page.context["form"].fields["trial"].queryset] == ["HANTS"]
    assert reverse("reports:run", args=[mine.pk]) in text
    assert reverse("reports:run", args=[theirs.pk]) not in text
    assert "WMP" not in text


def test_a_researcher_of_two_trials_sees_the_chosen_one_and_may_ask_either(
    trials: tuple[Trial, Trial],
) -> None:
    hants, wmp = trials
    theirs = _built(wmp)
    researcher = make_user(Role.RESEARCHER, trial=hants)
    grant(researcher, Role.RESEARCHER, wmp)
    client = Client()
    client.force_login(researcher)
    first = client.get(reverse("reports:dashboard"))
    assert [s.trial.code for s in first.context["summaries"]] == ["HANTS"]
    assert list(first.context["runs"]) == []
    client.post("/trial-choice", {"trial": wmp.pk})
    chosen = client.get(reverse("reports:dashboard"))
    assert [s.trial.code for s in chosen.context["summaries"]] == ["WMP"]
    assert list(chosen.context["runs"]) == [theirs]
    assert [t.code for t in chosen.context["form"].fields["trial"].queryset] == ["HANTS", "WMP"]


def test_requesting_another_trials_report_is_refused(trials: tuple[Trial, Trial]) -> None:
    hants, wmp = trials
    client = _client(Role.RESEARCHER, hants)
    answer = client.post(
        reverse("reports:request"),
        {"trial": wmp.pk, "window_months": 12, "data_cut": CUT.isoformat(), "report_type": "final"},
    )
    assert answer.status_code == 400
    assert "trial" in answer.context["form"].errors
    assert not ReportRun.objects.exists()


def test_the_services_and_selectors_refuse_another_trial(trials: tuple[Trial, Trial]) -> None:
    hants, wmp = trials
    theirs = _built(wmp)
    researcher = make_user(Role.RESEARCHER, trial=hants)
    data_manager = make_user(Role.DATA_MANAGER, trial=wmp)  # in the trial, not a report role
    for by in (researcher, data_manager):
        with pytest.raises(NotAllowedError, match=r"researcher or trial manager.* of WMP"):
            report_request(
                trial=wmp,
                window_months=12,
                data_cut=CUT,
                report_type="final",
                blinded=False,
                by=by,
                queue=False,
            )
        with pytest.raises(NotAllowedError, match=r"researcher or trial manager.* of WMP"):
            run_disclose(run=theirs, by=by, what="pdf", purpose="final_analysis", recipient="me")
    assert list(runs_visible_to(researcher)) == []
    assert [t.code for t in reportable_trials(researcher)] == ["HANTS"]
    assert [s.trial.code for s in trial_summaries(researcher)] == ["HANTS"]
    with pytest.raises(Http404):
        run_get(user=researcher, pk=theirs.pk)
    assert ReportRun.objects.filter(report_type="final").count() == 0


def test_analyse_names_the_trial_option(trials: tuple[Trial, Trial]) -> None:
    with pytest.raises(CommandError, match="required: --trial"):
        call_command("analyse", "--window", "12", "--cut", CUT.isoformat(), stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "analyse", "--trial", "WMP", "--window", "12", "--cut", CUT.isoformat(), stdout=out
    )
    assert out.getvalue().startswith("WMP: 12-month follow-up")


def test_the_daily_job_queues_one_automatic_report_task_per_trial(
    trials: tuple[Trial, Trial], monkeypatch: pytest.MonkeyPatch
) -> None:
    hants, wmp = trials
    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(tasks.auto_interim_trial_task, "delay", lambda *args: queued.append(args))
    day = (CUT + datetime.timedelta(days=1)).isoformat()
    assert sorted(tasks.auto_interim_task(day)) == sorted([hants.pk, wmp.pk])
    assert sorted(queued) == sorted([(hants.pk, day), (wmp.pk, day)])
    (run,) = [ReportRun.objects.get(pk=pk) for pk in tasks.auto_interim_trial_task(wmp.pk, day)]
    assert run.trial == wmp
    assert not ReportRun.objects.filter(trial=hants).exists()
