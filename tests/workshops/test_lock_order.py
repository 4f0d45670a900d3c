"""The lock order (participant, then session, then booking) keeps booking and cancelling apart.

Before the order was one, session_cancel locked the session and then each man, while
booking_create locked the man and then the sessions: on PostgreSQL the two could wait for each
other until the deadlock detector killed one. This test stages exactly that interleaving.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from common.exceptions import DomainError
from common.models import User
from participants.models import Participant
from workshops.models import Booking, BookingStatus, Cycle, Session
from workshops.services import booking_create, session_cancel

from .conftest import TODAY

pytestmark = pytest.mark.django_db(transaction=True)

WEEK = datetime.timedelta(days=7)


def _in_thread(job: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(job())
        except Exception as exc:
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        # pg_locks, not pg_stat_activity: the latter is a snapshot kept for the transaction.
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
        (count,) = cursor.fetchone()
    return int(count)


def _until_waiting(count: int, *outcomes: list[Any]) -> None:
    deadline = time.monotonic() + 20
    while _waiting_for_locks() < count:
        assert time.monotonic() < deadline, f"a call never reached its lock: {outcomes}"
        time.sleep(0.02)


@pytest.mark.postgres
def test_cancelling_a_session_and_booking_one_of_its_men_elsewhere_do_not_deadlock(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
) -> None:
    assert connection.vendor == "postgresql", "row locks and the deadlock detector are PostgreSQL's"
    first, second = make_cycle(TODAY + WEEK), make_cycle(TODAY + 2 * WEEK)
    men = sorted((workshop_man(), workshop_man()), key=lambda man: man.pk)
    for man in men:
        booking_create(participant=man, cycle=first, by=counsellor)
    cancelled = first.sessions.get(part=1)
    target = second.sessions.get(part=1)

    with transaction.atomic():
        # Hold the second cycle's part 1, so that each call stops at it with what it holds.
        Session.objects.select_for_update().get(pk=target.pk)
        cancel, cancel_outcome = _in_thread(
            lambda: session_cancel(
                session=cancelled, reason="Venue flooded", by=counsellor, move_to=second
            )
        )
        _until_waiting(
            1, cancel_outcome
        )  # the cancel holds its locks and waits for the second cycle
        book, book_outcome = _in_thread(
            lambda: booking_create(participant=men[1], cycle=second, by=counsellor)
        )
        _until_waiting(2, cancel_outcome, book_outcome)
    cancel.join(60)
    book.join(60)

    [cancel_result], [book_result] = cancel_outcome, book_outcome
    # Neither call died in the deadlock detector: the cancel moved both men, and the booking
    # either went first or was refused in the trial's words (he has his place already).
    assert not isinstance(cancel_result, Exception), cancel_result
    assert not isinstance(book_result, Exception) or isinstance(book_result, DomainError), (
        book_result
    )
    assert sorted(cancel_result.moved + cancel_result.flagged) == sorted(m.pseudonym for m in men)
    for man in men:
        places = Booking.objects.filter(participant=man, status=BookingStatus.BOOKED)
        assert sorted(places.values_list("session__cycle", flat=True)) == [second.pk, second.pk]
