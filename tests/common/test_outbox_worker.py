"""The outbox in real Celery workers: one killed with SIGKILL mid-send, two sweeping at once."""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from common.models import OutboxMessage
from common.roles import Role
from common.services import outbox_enqueue
from config.celery import app
from tests.support import outbox_kinds as kinds
from tests.support.factories import PoliceAreaFactory, make_user
from tests.support.smtp import SmtpSink, smtp_server
from tests.support.worker import celery_worker

Status = OutboxMessage.Status
LEASE = 2


def _worker_env(smtp: SmtpSink) -> dict[str, str]:
    # The worker sends to the test's SMTP server and knows the test's kinds of message.
    # A short lease, so that a dead worker's claim ends within the test.
    return {
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "OUTBOX_TEST_KINDS": kinds.__name__,
        "OUTBOX_LEASE_SECONDS": str(LEASE),
    }


def _require_real_services() -> None:
    if os.environ.get("REQUIRE_REAL_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_the_server_holds_its_reply_is_replaced_after_its_lease() -> None:
    _require_real_services()
    area, user = PoliceAreaFactory.create(), make_user(Role.RESEARCHER)
    with smtp_server() as smtp:
        stall = smtp.stall_next()  # the first delivery waits in DATA for its 250
        with celery_worker(env=_worker_env(smtp)) as worker:
            with transaction.atomic():  # queued on commit, as from a view
                message = outbox_enqueue(
                    kind=kinds.AREA_NOTICE,
                    context={"area": area.pk},
                    recipients={"users": [user.pk]},
                )
            assert stall.reached.wait(30), "the worker never reached DATA"
            worker.kill()  # SIGKILL: no clean-up, no rollback, no ack
            worker.wait(timeout=10)
        stall.release()
        assert stall.dropped.wait(10)  # the server never answered 250: nothing was delivered
        assert smtp.message_ids() == []
        message.refresh_from_db()
        # The killed worker's claim stands until its lease ends; nobody else sends it before.
        assert (message.status, message.attempts, message.sent_at) == (Status.PENDING, 1, None)
        time.sleep(max(0.0, (message.next_attempt_at - timezone.now()).total_seconds()) + 0.1)

        with celery_worker(env=_worker_env(smtp)):
            swept = app.send_task("common.outbox_send_pending").get(timeout=60)  # as beat does
        # The new worker may also get the dead one's task back; either way it goes once.
        assert swept in ({"sent": [message.pk]}, {})
        assert [d.message_id for d in smtp.dropped] == [message.message_id]
    assert smtp.message_ids() == [message.message_id]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert message.sent_at is not None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_deliver_each_message_once() -> None:
    _require_real_services()
    area, user = PoliceAreaFactory.create(), make_user(Role.RESEARCHER)
    # Pending messages, as a broker outage leaves them (written, never queued).
    messages = [
        OutboxMessage.objects.create(
            kind=kinds.AREA_NOTICE, context={"area": area.pk}, recipients={"users": [user.pk]}
        )
        for _ in range(8)
    ]
    with smtp_server() as smtp:
        smtp.delay = 0.4  # each delivery takes a while, so the sweeps overlap
        env = _worker_env(smtp)
        with celery_worker(env=env), celery_worker(env=env):
            sweeps = [app.send_task("common.outbox_send_pending") for _ in range(2)]
            first, second = (s.get(timeout=90) for s in sweeps)
    sent_by = [set(first.get("sent", [])), set(second.get("sent", []))]
    assert sent_by[0].isdisjoint(sent_by[1])
    assert sent_by[0] | sent_by[1] == {m.pk for m in messages}
    if connection.vendor == "postgresql":
        # skip_locked: each sweep passes over what the other holds, so both send. (On SQLite the
        # write lock queues them and the later sweep finds each message already sent.)
        assert all(sent_by), f"one worker sent everything: {first} {second}"
    assert sorted(smtp.message_ids()) == sorted(m.message_id for m in messages)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
