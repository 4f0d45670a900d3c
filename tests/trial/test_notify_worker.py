"""An allocation notice survives its worker's database connection being cut mid-send: sent once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from common.models import OutboxMessage
from config.celery import app
from tests.support.smtp import smtp_server
from tests.support.worker import celery_worker
from trial.models import AllocationNotice

from .support import claim, make_trial


def _terminate_other_connections() -> list[int]:
    # The worker's are the only other sessions on this test database.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for pid, terminated in cursor.fetchall() if terminated]


@pytest.mark.worker
@pytest.mark.postgres  # pg_terminate_backend is PostgreSQL's
@pytest.mark.django_db(transaction=True)
def test_an_allocation_notice_whose_worker_loses_the_database_mid_send_arrives_once() -> None:
    assert connection.vendor == "postgresql", "marked postgres: run on PostgreSQL"
    if os.environ.get("REQUIRE_REAL_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    trial = make_trial(research_email="research@uni.example")
    with smtp_server() as smtp:
        stall = smtp.stall_next(accept=True)  # the server holds its 250 until released
        env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}
        with celery_worker(env=env):
            allocation = claim(trial, 1)  # commits; the notice is queued to the worker
            assert stall.reached.wait(30), "the worker never reached DATA"
            killed = _terminate_other_connections()
            assert killed, "the worker had no database connection to cut"
            stall.release()  # the server says 250: the e-mail has gone
            row = OutboxMessage.objects.get(kind="trial.allocation_notice")
            deadline = time.monotonic() + 30
            while row.status == OutboxMessage.Status.PENDING and time.monotonic() < deadline:
                time.sleep(0.2)
                row.refresh_from_db()
            # The sweep runs as beat would: it finds nothing due, so nothing goes twice.
            assert app.send_task("common.outbox_send_pending").get(timeout=60) == {}
        log = (Path(settings.VAR_DIR) / "test-worker.log").read_text()
    assert "reconnecting" in log  # the mark really met the cut connection
    assert smtp.message_ids() == [row.message_id]  # delivered, and once
    assert (row.status, row.attempts, row.last_error) == (OutboxMessage.Status.SENT, 1, "")
    notice = AllocationNotice.objects.get(allocation=allocation)  # its after_send was written
    assert notice.recipient == "research@uni.example"
