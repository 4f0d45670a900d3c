"""The demo's analysis plan: CARA's v1, saved through the service, once."""

from __future__ import annotations

import pytest

from common.models import AuditEvent
from common.roles import Role
from demo.plans import demo_plan_load
from plans.models import AnalysisPlan
from plans.selectors import plan_for_report
from tests.support.factories import make_trial, make_user


@pytest.mark.django_db
def test_the_demo_declares_a_believable_cara_plan_once() -> None:
    trial = make_trial("CARA-HANTS")
    manager = make_user(Role.TRIAL_MANAGER, trial=trial)
    plan = demo_plan_load(trial=trial, manager=manager)
    again = demo_plan_load(trial=trial, manager=manager)
    assert again.pk == plan.pk
    assert AnalysisPlan.objects.count() == 1
    assert AuditEvent.objects.filter(action="plan.save").count() == 1
    assert (plan.version, plan.after_unblinding) == (1, False)
    cited = plan_for_report(trial, plan.created_at.date())
    assert cited is not None
    assert cited["primary"] == "harm"
    assert cited["secondary"] == ["prevalence", "frequency", "time_to_first"]
    assert (cited["alpha"], cited["sided"], cited["planned_n"]) == (0.05, "two", 300)
    assert (cited["looks"], cited["spending"]) == (1, "obrien_fleming")
    assert cited["registration"]["id"].startswith("ISRCTN")
    assert cited["funder"] == "Police Knowledge Fund (College of Policing)"
    # d = 3.2 / 9.5: 140 men a arm for 80% power; the planned 150 a arm give about 83%.
    assert cited["power"]["n_per_arm"] == 140
    assert cited["power"]["achieved_power"] == pytest.approx(0.828, abs=0.001)
