"""The plan page: researchers and the manager read it; only the manager saves a version."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from common.models import User
from common.roles import Role
from plans.models import AnalysisPlan
from plans.services import plan_save
from tests.support.factories import make_trial, make_user
from tests.support.signin import confirm_sign_in
from trial.models import Trial

from .support import cara_plan

URL = "/trials/CARA/plan/"


def form_data(**overrides: object) -> dict[str, object]:
    # What the form sends: its pre-filled minimum and ticked estimands as a browser would.
    answers = {"min_per_arm": 10, "per_protocol": "on", "cace": "on", **cara_plan()}
    answers.update(overrides)
    return answers


def signed_in(client: Client, role: Role, trial: Trial) -> User:
    user = make_user(role, trial=trial)
    client.force_login(user)
    confirm_sign_in(client)
    return user


@pytest.fixture
def trial(db: None) -> Trial:
    return make_trial("CARA")


def test_the_page_is_where_the_trial_page_says(trial: Trial, client: Client) -> None:
    assert reverse("plans:plan", kwargs={"code": "CARA"}) == URL
    signed_in(client, Role.TRIAL_MANAGER, trial)
    detail = client.get(reverse("trial:detail", kwargs={"code": "CARA"}))
    assert URL in detail.content.decode()


def test_a_manager_saves_the_first_version_and_sees_its_power(trial: Trial, client: Client) -> None:
    signed_in(client, Role.TRIAL_MANAGER, trial)
    page = client.get(URL)
    assert page.status_code == 200
    assert "No analysis plan has been saved" in page.content.decode()
    response = client.post(URL, form_data(), follow=True)
    text = response.content.decode()
    assert "Analysis plan version 1 saved." in text
    assert AnalysisPlan.objects.get().secondary_outcomes == [
        "prevalence",
        "frequency",
        "time_to_first",
    ]
    assert 'data-testid="n-per-arm">130<' in text
    assert "Harm (CCHI days per man)" in text
    assert "ISRCTN12345678" in text


def test_a_change_without_a_reason_is_refused_next_to_the_field(
    trial: Trial, client: Client
) -> None:
    manager = signed_in(client, Role.TRIAL_MANAGER, trial)
    plan_save(actor=manager, trial=trial, **cara_plan())
    response = client.post(URL, form_data(planned_n=320))
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "every version after the first needs a reason" in text
    assert AnalysisPlan.objects.count() == 1
    client.post(URL, form_data(planned_n=320, reason="Recruitment extended"))
    page = client.get(URL).content.decode()
    assert "Version 2, in force" in page
    assert "Recruitment extended" in page


def test_bad_answers_are_named_in_the_error_summary(trial: Trial, client: Client) -> None:
    signed_in(client, Role.TRIAL_MANAGER, trial)
    response = client.post(URL, form_data(alpha=0.7, sd="", spending="none"))
    text = response.content.decode()
    assert "There is a problem" in text
    assert "alpha" in text
    assert "standard deviation" in text
    assert "interim looks" in text
    assert not AnalysisPlan.objects.exists()


def test_a_researcher_reads_the_plan_but_gets_no_form(trial: Trial, client: Client) -> None:
    manager = make_user(Role.TRIAL_MANAGER, trial=trial)
    plan_save(actor=manager, trial=trial, **cara_plan())
    signed_in(client, Role.RESEARCHER, trial)
    page = client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Version 1, in force" in text
    assert '<form method="post" novalidate' not in text
    assert client.post(URL, form_data(planned_n=320, reason="x")).status_code == 405
    assert AnalysisPlan.objects.count() == 1


def test_an_officer_and_another_trials_manager_are_refused(trial: Trial, client: Client) -> None:
    signed_in(client, Role.OFFICER, trial)
    assert client.get(URL).status_code == 403
    client.logout()
    other = make_trial("OTHER")
    signed_in(client, Role.TRIAL_MANAGER, other)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data()).status_code == 404
    assert not AnalysisPlan.objects.exists()


def test_an_answer_that_is_no_number_says_which_answer(trial: Trial, client: Client) -> None:
    signed_in(client, Role.TRIAL_MANAGER, trial)
    text = client.post(URL, form_data(alpha="five percent", planned_n="many")).content.decode()
    assert "Enter the significance level (alpha) as a number." in text
    assert "Enter the planned sample size as a whole number." in text
    assert not AnalysisPlan.objects.exists()
