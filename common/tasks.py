"""Celery tasks shared by every app."""

from __future__ import annotations

from celery import shared_task

from common.services import audit_record


@shared_task(name="common.worker_ping")
def worker_ping(note: str) -> str:
    """Write an audit event from the worker, proving it reaches the application's database."""
    event = audit_record(actor=None, action="worker.ping", object_type="worker", object_id=note)
    return f"pong {event.pk}"
