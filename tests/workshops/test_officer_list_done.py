"""The officer's list: a man who attended both parts is shown as done, never "Overdue"."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from common.models import User
from participants.models import Participant
from workshops.models import Cycle
from workshops.services import attendance_record, booking_create

from .conftest import TODAY, at_local, part

pytestmark = pytest.mark.django_db


def test_a_finished_man_past_his_deadline_is_done_not_overdue(
    client: Client,
    officer: User,
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
) -> None:
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=40))
    finished, waiting = workshop_man(), workshop_man()
    bookings = booking_create(
        participant=finished,
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    for booking in bookings:
        attendance_record(
            booking=booking,
            attendance="attended",
            by=counsellor,
            at=booking.session.starts_at + datetime.timedelta(hours=6),
        )
    past = TODAY - datetime.timedelta(days=3)
    Participant.objects.filter(pk__in=[finished.pk, waiting.pk]).update(workshop_deadline=past)
    client.force_login(officer)
    page = client.get("/officer/").content.decode()
    rows = {
        p: page[page.index(p) :].split("</tr>")[0] for p in (finished.pseudonym, waiting.pseudonym)
    }
    assert "Workshops done" in rows[finished.pseudonym]
    assert "Overdue" not in rows[finished.pseudonym]
    assert "Overdue" in rows[waiting.pseudonym]
