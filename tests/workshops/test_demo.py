"""The demo's workshops: real services, a believable story, loaded once."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from common.models import PoliceArea, Provider, User
from demo.participants import demo_participants_load
from demo.workshops import demo_workshops_load
from trial.models import Trial
from workshops.models import AttendanceCorrection, Breach, BreachStatus, Cycle
from workshops.selectors import compliance_for_trial, feedback_summary


def test_demo_workshops_tell_the_cara_story_and_load_once(
    trial: Trial,
    area: PoliceArea,
    other_area: PoliceArea,
    counsellor: User,
    trial_manager: User,
    client: Client,
    delivered: Provider,
) -> None:
    # Hampton Trust runs both areas (`delivered`): its counsellor is queued the demo's men.
    counsellor.username = "counsellor"
    counsellor.save()
    demo_participants_load(trial=trial, areas=[area, other_area], manager=trial_manager, cases=80)
    first = demo_workshops_load(trial=trial, manager=trial_manager)
    again = demo_workshops_load(trial=trial, manager=trial_manager)
    assert (again.cycles, again.booked, again.breaches) == (
        first.cycles,
        first.booked,
        first.breaches,
    )
    assert Cycle.objects.count() == first.cycles > 20  # every five weeks over 30 months
    compliance = compliance_for_trial(trial)
    assert sum(1 for parts in compliance.values() if parts == 2) > 0.7 * len(compliance)
    assert Breach.objects.exists()
    # One register mistake corrected: its breach withdrawn, the old record kept.
    assert Breach.objects.filter(status=BreachStatus.WITHDRAWN).count() == 1
    assert AttendanceCorrection.objects.count() == 1
    assert all(item.answered for item in feedback_summary(trial))
    # The feed path printed by the loader works, and the old one was revoked.
    assert client.get(again.feed_path).status_code == 200
    assert client.get(first.feed_path).status_code == 404
    client.force_login(counsellor)
    assert client.get(reverse("workshops:calendar")).status_code == 200
