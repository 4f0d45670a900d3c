"""A task goes through a real Celery worker on the configured broker (Redis in CI)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from common.models import AuditEvent
from config.celery import app
from tests.support.worker import celery_worker


@pytest.mark.smoke
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_a_real_worker_and_writes_to_the_database() -> None:
    if os.environ.get("REQUIRE_REAL_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    with celery_worker():
        result = app.send_task("common.worker_ping", args=["from-test"])
        reply = result.get(timeout=30)
    assert reply.startswith("pong ")
    event = AuditEvent.objects.get(action="worker.ping")
    assert event.object_id == "from-test"
    assert reply == f"pong {event.pk}"
