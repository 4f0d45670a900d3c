"""Two senders racing for one message, each in its own thread and database connection."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from pytest_django.fixtures import Settings

from common.models import OutboxMessage
from common.roles import Role
from common.services import Outcome, outbox_send, outbox_send_pending
from tests.common.test_outbox import smtp_settings
from tests.support import outbox_kinds as kinds
from tests.support.factories import PoliceAreaFactory, make_user
from tests.support.smtp import smtp_server
from tests.support.threads import run_at_once


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sender", ["task", "sweep"])
def test_two_senders_racing_for_one_message_deliver_it_once(
    settings: Settings, sender: str
) -> None:
    area, user = PoliceAreaFactory.create(), make_user(Role.RESEARCHER)
    # A pending message, as a commit whose task never ran leaves it.
    message = OutboxMessage.objects.create(
        kind=kinds.AREA_NOTICE, context={"area": area.pk}, recipients={"users": [user.pk]}
    )
    on_postgres = connection.vendor == "postgresql"
    returned = threading.Event()

    def send() -> Any:
        if sender == "task":
            result: Any = outbox_send(message_id=message.pk)
        else:
            result = outbox_send_pending()
        returned.set()
        return result

    with smtp_server() as smtp:
        smtp_settings(settings, smtp.port)
        stall = smtp.stall_next(accept=True)

        def referee() -> bool:
            # The winner is in the middle of DATA, holding its claim. On PostgreSQL the loser
            # skips the locked row and returns at once; on SQLite it waits for the write lock.
            assert stall.reached.wait(30)
            loser_came_back = returned.wait(10 if on_postgres else 1)
            stall.release()  # the winner's delivery is answered 250 and committed
            return loser_came_back

        first, second, loser_came_back = run_at_once([send, send, referee])
    assert not isinstance(first, BaseException), first
    assert not isinstance(second, BaseException), second
    assert smtp.message_ids() == [message.message_id]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)
    if on_postgres:
        assert loser_came_back is True  # it did not wait for the winner to finish
    if sender == "task":
        assert sorted([first, second]) == sorted([Outcome.SENT, Outcome.NOT_CLAIMED])
    else:
        loser, winner = sorted([first, second], key=lambda r: "sent" in r)
        assert winner == {"sent": [message.pk]}
        assert loser in ({}, {"not_claimed": [message.pk]})  # listed it, or found it gone
