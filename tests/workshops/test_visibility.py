"""What counsellors see: workshop-arm men only, what they need, and every look is audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from common.models import AuditEvent, User
from participants.models import Participant
from workshops.models import Cycle
from workshops.services import booking_create

from .conftest import TODAY


@pytest.mark.smoke
def test_a_counsellor_asking_for_a_control_participant_gets_404(
    client: Client, counsellor: User, control_man: Participant
) -> None:
    client.force_login(counsellor)
    response = client.get(reverse("workshops:participant", args=[control_man.pk]))
    assert response.status_code == 404
    assert str(control_man.family_name) not in response.content.decode()


def test_a_counsellor_sees_name_contact_needs_deadline_and_history_and_the_look_is_audited(
    client: Client,
    counsellor: User,
    workshop_man: Callable[..., Participant],
    make_cycle: Callable[..., Cycle],
) -> None:
    man = workshop_man()
    booking_create(participant=man, cycle=make_cycle(), by=counsellor)
    client.force_login(counsellor)
    page = client.get(reverse("workshops:participant", args=[man.pk])).content.decode()
    assert man.full_name in page
    assert str(man.phone) in page
    assert "Dyslexia" in page
    assert f"{man.workshop_deadline:%d} " in page
    assert "Part 1, cycle 1" in page
    # Never the victim, the arm's name or the allocation sequence.
    assert "Secretname" not in page
    assert "Control" not in page
    event = AuditEvent.objects.get(action="participant.view", actor=counsellor)
    assert event.detail == {"participant": man.pseudonym, "page": "workshops"}


def test_the_dashboard_queue_lists_workshop_men_with_their_deadline_only(
    client: Client,
    counsellor: User,
    workshop_man: Callable[..., Participant],
    control_man: Participant,
) -> None:
    man = workshop_man()
    client.force_login(counsellor)
    page = client.get(reverse("workshops:dashboard")).content.decode()
    assert man.pseudonym in page
    assert f"{man.workshop_deadline:%d/%m/%Y}" in page
    assert control_man.pseudonym not in page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["researcher", "officer"])
def test_other_roles_cannot_open_counsellor_pages(
    client: Client, request: pytest.FixtureRequest, name: str
) -> None:
    client.force_login(request.getfixturevalue(name))
    assert client.get(reverse("workshops:dashboard")).status_code == 403
    assert client.get(reverse("workshops:calendar")).status_code == 403


def test_the_names_on_the_counsellor_dashboard_are_an_audited_look(
    client: Client,
    counsellor: User,
    workshop_man: Callable[..., Participant],
) -> None:
    man = workshop_man()
    client.force_login(counsellor)
    page = client.get(reverse("workshops:dashboard")).content.decode()
    assert man.full_name in page
    event = AuditEvent.objects.get(action="participant.view_list", actor=counsellor)
    assert event.detail == {"participants": [man.pseudonym], "page": "workshops"}
    assert str(man.family_name) not in str(event.detail)


def test_the_feedback_page_shows_his_name_and_the_look_is_audited(
    client: Client,
    counsellor: User,
    workshop_man: Callable[..., Participant],
) -> None:
    man = workshop_man()
    client.force_login(counsellor)
    page = client.get(reverse("workshops:feedback", args=[man.pk])).content.decode()
    assert man.full_name in page
    event = AuditEvent.objects.get(action="participant.view", actor=counsellor)
    assert event.detail == {"participant": man.pseudonym, "page": "feedback"}


def test_a_man_past_his_deadline_is_shown_why_instead_of_a_booking_form(
    client: Client,
    counsellor: User,
    workshop_man: Callable[..., Participant],
    make_cycle: Callable[..., Cycle],
) -> None:
    man = workshop_man()
    make_cycle()
    Participant.objects.filter(pk=man.pk).update(
        workshop_deadline=TODAY - datetime.timedelta(days=1)
    )
    client.force_login(counsellor)
    page = client.get(reverse("workshops:participant", args=[man.pk])).content.decode()
    assert 'data-testid="deadline-passed"' in page
    assert 'data-testid="booking-form"' not in page
