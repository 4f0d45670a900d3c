"""The session register: attendance refused with its reason in the man's row, nothing saved."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from common.models import User
from participants.models import Participant
from workshops.models import Booking, BookingStatus, Breach, Cycle
from workshops.services import booking_create

from .conftest import TODAY, at_local, part


@pytest.fixture
def started(
    make_cycle: Callable[..., Cycle], workshop_man: Callable[..., Participant], counsellor: User
) -> Booking:
    """A booking in a part 1 that began an hour ago."""
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=1))
    [first, _] = booking_create(
        participant=workshop_man(),
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    return first


def record(client: Client, booking: Booking, **data: str) -> str:
    url = reverse("workshops:attendance", args=[booking.session_id, booking.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    return response.content.decode()


def test_the_register_preselects_no_attendance(
    client: Client, counsellor: User, started: Booking
) -> None:
    client.force_login(counsellor)
    page = client.get(reverse("workshops:session", args=[started.session_id])).content.decode()
    assert '<option value="">Choose…</option>' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose attended, did not attend or left early."),
        ({"attendance": "asleep"}, "Choose attended, did not attend or left early."),
        (
            {"attendance": "left_early", "reason_accepted": "on"},
            "Give the reason that was accepted.",
        ),
        (
            {"attendance": "did_not_attend", "attendance_reason": "x" * 1001},
            "Keep the reason under 1000 characters.",
        ),
    ],
)
def test_a_refused_attendance_is_explained_in_his_row_and_saves_nothing(
    client: Client, counsellor: User, started: Booking, data: dict[str, str], message: str
) -> None:
    client.force_login(counsellor)
    page = record(client, started, **data)
    assert f'id="att-err-{started.pk}"' in page
    assert message in page
    started.refresh_from_db()
    assert started.status == BookingStatus.BOOKED
    assert not Breach.objects.exists()
