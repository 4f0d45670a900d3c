"""Saving a plan: numbered versions, never edited, with reasons and the unblinding flag."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from common.exceptions import DomainError, NotAllowedError
from common.models import AuditEvent, User
from common.roles import Role
from plans.models import AnalysisPlan
from plans.services import PlanInvalidError, plan_save
from tests.support.factories import make_trial, make_user
from trial.models import Trial

from .support import cara_plan, unblinded_report


@pytest.fixture
def trial(db: None) -> Trial:
    return make_trial("CARA")


@pytest.fixture
def manager(trial: Trial) -> User:
    return make_user(Role.TRIAL_MANAGER, trial=trial)


def test_the_first_version_needs_no_reason_and_is_audited(trial: Trial, manager: User) -> None:
    plan = plan_save(actor=manager, trial=trial, **cara_plan())
    assert (plan.version, plan.reason, plan.after_unblinding) == (1, "", False)
    assert plan.primary_outcome == "harm"
    assert plan.secondary_outcomes == ["prevalence", "frequency", "time_to_first"]
    event = AuditEvent.objects.get(action="plan.save")
    assert event.actor == manager
    assert event.trial == "CARA"
    assert event.detail["version"] == 1


def test_a_change_is_a_new_version_with_its_reason_and_the_rest_carried_over(
    trial: Trial, manager: User
) -> None:
    plan_save(actor=manager, trial=trial, **cara_plan())
    with pytest.raises(DomainError, match="needs a reason") as refused:
        plan_save(actor=manager, trial=trial, planned_n=320)
    assert refused.value.field == "reason"
    second = plan_save(actor=manager, trial=trial, planned_n=320, reason="Recruitment extended")
    assert second.version == 2
    assert second.planned_n == 320
    assert second.funder == "Police Knowledge Fund (College of Policing)"  # carried over
    assert AnalysisPlan.objects.get(trial=trial, version=1).planned_n == 300
    assert AuditEvent.objects.filter(action="plan.save").latest("id").detail["changed"] == [
        "planned_n"
    ]


def test_saving_the_same_answers_again_makes_no_version(trial: Trial, manager: User) -> None:
    plan_save(actor=manager, trial=trial, **cara_plan())
    with pytest.raises(DomainError, match="Nothing in the plan changed"):
        plan_save(actor=manager, trial=trial, reason="No change", **cara_plan())
    assert AnalysisPlan.objects.filter(trial=trial).count() == 1


def test_the_database_refuses_to_edit_a_version(trial: Trial, manager: User) -> None:
    plan = plan_save(actor=manager, trial=trial, **cara_plan())
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AnalysisPlan.objects.filter(pk=plan.pk).update(alpha=0.01)
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AnalysisPlan.objects.filter(pk=plan.pk).delete()
    plan.refresh_from_db()
    assert plan.alpha == 0.05


def test_after_the_first_unblinded_report_a_change_is_flagged(trial: Trial, manager: User) -> None:
    plan_save(actor=manager, trial=trial, **cara_plan())
    unblinded_report(trial, blinded=True)  # a blinded one unblinds nobody
    unblinded_report(trial, status="failed")  # nor one that was never built
    assert (
        plan_save(actor=manager, trial=trial, alpha=0.04, reason="DMC advice").after_unblinding
        is False
    )
    unblinded_report(trial)
    later = plan_save(actor=manager, trial=trial, alpha=0.025, reason="Funder asked for 0.025")
    assert later.after_unblinding is True
    event = AuditEvent.objects.filter(action="plan.save").latest("id")
    assert event.detail["after_unblinding"] is True


def test_a_first_plan_after_unblinding_needs_a_reason_too(trial: Trial, manager: User) -> None:
    unblinded_report(trial)
    with pytest.raises(DomainError, match="after an unblinded report"):
        plan_save(actor=manager, trial=trial, **cara_plan())
    assert not AnalysisPlan.objects.exists()
    plan = plan_save(actor=manager, trial=trial, reason="Plan written late", **cara_plan())
    assert plan.after_unblinding is True


def test_only_the_trials_own_manager_may_save(trial: Trial) -> None:
    officer = make_user(Role.OFFICER, trial=trial)
    researcher = make_user(Role.RESEARCHER, trial=trial)
    other = make_trial("OTHER")
    other_manager = make_user(Role.TRIAL_MANAGER, trial=other)
    for user in (officer, researcher, other_manager):
        with pytest.raises(NotAllowedError):
            plan_save(actor=user, trial=trial, **cara_plan())
    assert not AnalysisPlan.objects.exists()


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({"primary_outcome": "wellbeing"}, "primary_outcome", "primary outcome"),
        ({"secondary_outcomes": ["harm"]}, "secondary_outcomes", "cannot also be"),
        ({"secondary_outcomes": ["prevalence", "prevalence"]}, "secondary_outcomes", "once"),
        ({"alpha": 0.5}, "alpha", "alpha"),
        ({"alpha": "five percent"}, "alpha", "alpha"),
        ({"power_target": 1.2}, "power_target", "target power"),
        ({"planned_n": 3}, "planned_n", "planned sample size"),
        ({"interim_looks": 1, "spending": "none"}, "spending", "interim looks"),
        ({"interim_looks": 0, "spending": "pocock"}, "spending", "at least one interim look"),
        ({"sd": 0}, "sd", "standard deviation"),
        ({"intervention_mean": 11.6}, "intervention_mean", "difference"),
        ({"power_basis": "rates"}, "control_rate", "proportion"),
        ({"sensitivity": ["everything"]}, "sensitivity", "sensitivity"),
        ({"registration_url": "isrctn dot com"}, "registration_url", "web address"),
        ({"min_per_arm": 1}, "min_per_arm", "minimum analysed"),
    ],
)
def test_bad_answers_are_refused_by_name_and_nothing_is_saved(
    trial: Trial, manager: User, answers: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(PlanInvalidError) as refused:
        plan_save(actor=manager, trial=trial, **cara_plan(**answers))
    messages = refused.value.messages_by_field()
    assert field in messages
    assert words.lower() in messages[field].lower()
    assert not AnalysisPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="plan.save").exists()


def test_every_refused_answer_is_named_at_once(trial: Trial, manager: User) -> None:
    with pytest.raises(PlanInvalidError) as refused:
        plan_save(actor=manager, trial=trial, **cara_plan(alpha=2, planned_n=0, sd=-1))
    assert {"alpha", "planned_n", "sd"} <= set(refused.value.messages_by_field())


def test_a_version_saved_the_day_after_is_not_yet_in_force(trial: Trial, manager: User) -> None:
    from plans.selectors import plan_in_force

    plan_save(actor=manager, trial=trial, **cara_plan())
    today = timezone.localdate()
    in_force = plan_in_force(trial=trial, at=today)
    assert in_force is not None
    assert in_force.version == 1
    assert plan_in_force(trial=trial, at=today - datetime.timedelta(days=1)) is None
