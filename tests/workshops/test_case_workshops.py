"""The officer's case page shows the man's workshops: bookings, corrections, breaches, decisions."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from common.models import User
from participants.models import Participant
from tests.support.cases import TODAY
from trial.forms import TrialSettingsForm
from trial.models import Trial
from workshops.models import Breach, Cycle
from workshops.services import attendance_correct, attendance_record, booking_create

from .conftest import at_local, part


def test_the_case_fragment_shows_his_workshops_to_his_officer_only(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    officer: User,
    other_officer: User,
    client: Client,
) -> None:
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=1))
    man = workshop_man()
    first, _ = booking_create(
        participant=man,
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    attendance_record(booking=first, attendance="attended", by=counsellor)
    attendance_correct(
        booking=first, attendance="did_not_attend", why="Ticked the wrong row", by=counsellor
    )
    assert Breach.objects.filter(participant=man).exists()
    url = reverse("breaches:case_workshops", args=[man.pk])

    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "<html" not in page  # a fragment for the case page
    assert 'data-testid="case-bookings"' in page
    assert "Ticked the wrong row" in page
    assert "attended → missed: breach" in page
    assert "awaiting a decision" in page

    client.force_login(other_officer)
    assert client.get(url).status_code == 404


def test_the_control_arm_fragment_says_no_workshops(
    control_man: Participant, officer: User, client: Client
) -> None:
    client.force_login(officer)
    page = client.get(reverse("breaches:case_workshops", args=[control_man.pk])).content.decode()
    assert "no workshops" in page


def test_the_latest_extended_deadline_cannot_come_before_the_usual_one(trial: Trial) -> None:
    data = {f: getattr(trial, f) for f in TrialSettingsForm.Meta.fields}
    data.update(follow_up="12, 24", compliance_weeks=16, deadline_limit_weeks=12)
    form = TrialSettingsForm({k: v for k, v in data.items() if v is not None}, instance=trial)
    assert not form.is_valid()
    assert "cannot come before the usual one" in str(form.errors["deadline_limit_weeks"])
    assert "weeks after the caution" in str(form["deadline_limit_weeks"].label)
