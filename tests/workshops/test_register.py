"""The session register: one form for every booked man, each row saved or refused on its own."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from common.models import User
from participants.models import Participant
from workshops.models import Booking, BookingStatus, Breach, Cycle
from workshops.services import booking_create

from .conftest import TODAY, at_local, part

Man = Callable[..., Participant]


@pytest.fixture
def held(make_cycle: Callable[..., Cycle]) -> Cycle:
    """A cycle whose part 1 began yesterday."""
    return make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=1))


def _book(cycle: Cycle, man: Participant, counsellor: User) -> Booking:
    first, _ = booking_create(
        participant=man,
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    return first


@pytest.fixture
def started(held: Cycle, workshop_man: Man, counsellor: User) -> Booking:
    """A booking in a part 1 that began yesterday."""
    return _book(held, workshop_man(), counsellor)


def register(client: Client, booking: Booking, rows: dict[Booking, dict[str, str]]) -> str:
    data = {
        f"b{b.pk}-{name}": value for b, fields in rows.items() for name, value in fields.items()
    }
    response = client.post(reverse("workshops:session", args=[booking.session_id]), data)
    assert response.status_code == 400
    return response.content.decode()


def fill(page: str) -> str:
    found = re.search(r'data-testid="fill">\s*(\d+/\d+)', page)
    assert found is not None
    return found.group(1)


def test_the_register_preselects_no_attendance(
    client: Client, counsellor: User, started: Booking
) -> None:
    client.force_login(counsellor)
    page = client.get(reverse("workshops:session", args=[started.session_id])).content.decode()
    assert '<option value="">Choose…</option>' in page
    assert 'id="register" novalidate' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
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
def test_a_refused_row_is_explained_in_his_row_and_saves_nothing(
    client: Client, counsellor: User, started: Booking, data: dict[str, str], message: str
) -> None:
    client.force_login(counsellor)
    page = register(client, started, {started: data})
    assert f'id="att-err-{started.pk}"' in page
    assert "There is a problem" in page
    assert f'href="#b{started.pk}-attendance"' in page
    assert message in page
    started.refresh_from_db()
    assert started.status == BookingStatus.BOOKED
    assert not Breach.objects.exists()


def test_an_empty_register_says_what_to_do(
    client: Client, counsellor: User, started: Booking
) -> None:
    client.force_login(counsellor)
    page = register(client, started, {})
    assert "Choose attended, did not attend or left early for a man." in page


def test_one_submit_records_every_man_and_a_refused_row_keeps_its_answers(
    client: Client, counsellor: User, held: Cycle, workshop_man: Man
) -> None:
    rows = [_book(held, workshop_man(), counsellor) for _ in range(3)]
    there, absent, wrong = rows
    client.force_login(counsellor)
    before = client.get(reverse("workshops:session", args=[there.session_id])).content.decode()
    assert fill(before) == "3/8"
    page = register(
        client,
        there,
        {
            there: {"attendance": "attended"},
            absent: {"attendance": "did_not_attend", "attendance_reason": "Forgot"},
            wrong: {"attendance": "left_early", "reason_accepted": "on"},
        },
    )
    statuses = {b.pk: b.status for b in Booking.objects.filter(pk__in=[r.pk for r in rows])}
    assert statuses == {
        there.pk: BookingStatus.ATTENDED,
        absent.pk: BookingStatus.MISSED,
        wrong.pk: BookingStatus.BOOKED,
    }
    assert Breach.objects.filter(booking=absent).exists()
    # The refused row keeps what was chosen; the places stay taken once attendance is recorded.
    assert '<option value="left_early" selected>' in page
    assert "Give the reason that was accepted." in page
    assert fill(page) == "3/8"
    cycle_page = client.get(reverse("workshops:cycle", args=[held.pk])).content.decode()
    assert fill(cycle_page) == "3/8"


def test_a_held_session_offers_no_cancel_and_refuses_one(
    client: Client, counsellor: User, started: Booking, held: Cycle
) -> None:
    client.force_login(counsellor)
    page = client.get(reverse("workshops:cycle", args=[held.pk])).content.decode()
    assert reverse("workshops:cancel", args=[started.session_id]) not in page
    url = reverse("workshops:cancel", args=[started.session_id])
    assert 'data-testid="held"' in client.get(url).content.decode()
    response = client.post(url, {"reason": "Trainer ill", "confirmed": "yes"})
    assert response.status_code == 400
    started.refresh_from_db()
    assert started.status == BookingStatus.BOOKED


def test_cancelling_a_session_asks_first_and_names_who_loses_a_place(
    client: Client, counsellor: User, make_cycle: Callable[..., Cycle], workshop_man: Man
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=7))
    booking_create(participant=workshop_man(), cycle=cycle, by=counsellor)
    url = reverse("workshops:cancel", args=[part(cycle, 1).pk])
    client.force_login(counsellor)
    asked = client.post(url, {"reason": "Venue flooded"}).content.decode()
    assert "cannot be restored" in asked
    assert "1 booked: each loses his place and is flagged for rebooking" in asked
    assert part(cycle, 1).cancelled_at is None
    done = client.post(url, {"reason": "Venue flooded", "confirmed": "yes"})
    assert done.status_code == 302
    assert part(cycle, 1).cancelled_at is not None


def test_the_booking_page_does_not_speak_of_an_earlier_part_1_he_never_had(
    client: Client, counsellor: User, workshop_man: Man, make_cycle: Callable[..., Cycle]
) -> None:
    make_cycle()
    man = workshop_man()
    client.force_login(counsellor)
    page = client.get(reverse("workshops:participant", args=[man.pk])).content.decode()
    assert 'data-testid="booking-form"' in page
    assert "part 1 is too long ago" not in page
