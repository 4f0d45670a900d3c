"""What the report cites: the plan in force at the cut, as plain values, with late changes."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from common.roles import Role
from plans.models import AnalysisPlan
from plans.selectors import plan_for_report, plan_versions
from plans.services import plan_save
from tests.support.factories import make_trial, make_user

from .support import cara_plan, unblinded_report


@pytest.mark.django_db
def test_the_report_gets_the_version_in_force_at_its_cut_as_plain_json() -> None:
    trial = make_trial("CARA")
    manager = make_user(Role.TRIAL_MANAGER, trial=trial)
    today = timezone.localdate()
    assert plan_for_report(trial, today) is None
    plan_save(actor=manager, trial=trial, **cara_plan())
    unblinded_report(trial)
    plan_save(actor=manager, trial=trial, planned_n=320, reason="Recruitment extended by DMC")

    cited = plan_for_report(trial, today)
    assert cited is not None
    assert json.loads(json.dumps(cited)) == cited  # JSON-able as it stands
    assert cited["version"] == 2
    assert cited["primary"] == "harm"
    assert cited["secondary"] == ["prevalence", "frequency", "time_to_first"]
    assert (cited["alpha"], cited["sided"], cited["planned_n"]) == (0.05, "two", 320)
    assert (cited["looks"], cited["spending"], cited["min_per_arm"]) == (1, "obrien_fleming", 10)
    assert cited["registration"]["id"] == "ISRCTN12345678"
    assert cited["funder"] == "Police Knowledge Fund (College of Policing)"
    # d = (11.6 - 6.0) / 16 = 0.35: about 130 men a arm; 160 a arm give more than 80% power.
    assert cited["power"]["effect_size"] == pytest.approx(0.35)
    assert cited["power"]["n_per_arm"] == 130
    assert cited["power"]["achieved_power"] > 0.8
    assert [c["reason"] for c in cited["after_unblinding"]] == ["Recruitment extended by DMC"]

    # A cut before the plan existed cites none.
    assert plan_for_report(trial, today - datetime.timedelta(days=1)) is None


@pytest.mark.django_db
def test_the_version_in_force_is_the_one_saved_by_the_cut() -> None:
    trial = make_trial("CARA")
    manager = make_user(Role.TRIAL_MANAGER, trial=trial)
    plan_save(actor=manager, trial=trial, **cara_plan())
    # Saved earlier than today: the row is backdated past the no-edit trigger by a fresh insert.
    first = AnalysisPlan.objects.get(trial=trial)
    AnalysisPlan.objects.create(
        **{
            **{f.name: getattr(first, f.name) for f in AnalysisPlan._meta.concrete_fields},
            "id": None,
            "version": 2,
            "reason": "Later",
            "created_at": timezone.now() + datetime.timedelta(days=10),
        }
    )
    today = timezone.localdate()
    assert (plan_for_report(trial, today) or {}).get("version") == 1
    later = today + datetime.timedelta(days=10)
    assert (plan_for_report(trial, later) or {}).get("version") == 2


@pytest.mark.django_db
def test_versions_are_shown_to_the_trials_researchers_and_manager_only() -> None:
    trial = make_trial("CARA")
    other = make_trial("OTHER")
    manager = make_user(Role.TRIAL_MANAGER, trial=trial)
    plan_save(actor=manager, trial=trial, **cara_plan())
    assert plan_versions(make_user(Role.RESEARCHER, trial=trial), trial).count() == 1
    assert plan_versions(manager, trial).count() == 1
    assert plan_versions(make_user(Role.OFFICER, trial=trial), trial).count() == 0
    assert plan_versions(make_user(Role.RESEARCHER, trial=other), trial).count() == 0
