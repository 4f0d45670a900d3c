"""Harms in the report: victim-safety events counted by arm, dated by the cut, or "not recorded"."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from participants.models import SafetyEventKind
from participants.services import safety_event_record
from reports.analysis.dataset import ArmFlow, canonical_flow_csv
from reports.analysis.results import analyse
from reports.selectors import analysis_dataset
from tests.reports.builders import cara_published
from tests.reports.support import CUT, freeze, live_trial

pytestmark = pytest.mark.django_db
D = datetime.date


def test_events_by_the_cut_are_counted_per_arm_in_the_flow_and_its_csv() -> None:
    live = live_trial()
    live.enrol_both_arms(3)
    for case in live.cases:
        assert case.allocation is not None
        freeze(case.allocation)
    cara, control = live.in_arm("cara"), live.in_arm("control")
    # By hand: one CARA event and two control events by the cut; one more after it.
    for case, day in (
        (cara[0], D(2023, 6, 1)),
        (control[0], D(2023, 7, 1)),
        (control[1], D(2023, 8, 1)),
        (control[1], CUT + datetime.timedelta(days=3)),
    ):
        safety_event_record(
            actor=None, participant=case, occurred_on=day, kind=SafetyEventKind.POLICE_CALL_OUT
        )

    dataset = analysis_dataset(trial=live.trial, window_months=12, data_cut=CUT)

    flow = {f.arm: f for f in dataset.meta.flow or ()}
    assert (flow["cara"].safety_events, flow["control"].safety_events) == (1, 2)
    lines = canonical_flow_csv(meta=dataset.meta).decode().splitlines()
    assert "safety_events,cara,1" in lines
    assert "safety_events,control,2" in lines
    consort = analyse(dataset=dataset, reps=1000)["consort"]["arms"]
    assert (consort["cara"]["safety_events"], consort["control"]["safety_events"]) == (1, 2)


def test_a_trial_that_never_recorded_them_shows_an_empty_count_not_zero() -> None:
    dataset = cara_published()
    flows = tuple(
        ArmFlow(arm=arm.code, randomised=1, window_open=0, not_frozen=0, withdrawn=0)
        for arm in dataset.meta.arms
    )
    meta = replace(dataset.meta, flow=flows)
    lines = canonical_flow_csv(meta=meta).decode().splitlines()
    assert {line for line in lines if line.startswith("safety_events,")} == {
        f"safety_events,{arm.code}," for arm in meta.arms
    }
