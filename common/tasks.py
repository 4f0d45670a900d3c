"""Celery tasks shared by every app."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from common.services import (
    Outcome,
    audit_record,
    audit_seal,
    audit_verify,
    idempotency_keys_expire,
    outbox_send,
    outbox_send_pending,
)

logger = logging.getLogger(__name__)


@shared_task(name="common.worker_ping")
def worker_ping(note: str) -> str:
    """Write an audit event from the worker, proving it reaches the application's database."""
    event = audit_record(actor=None, action="worker.ping", object_type="worker", object_id=note)
    return f"pong {event.pk}"


@shared_task(name="common.outbox_send")
def outbox_send_task(message_id: int) -> str:
    """Send one outbox message after the commit that wrote it; a second run does nothing."""
    # Send errors are kept on the row (and retried by the sweep), so nothing here retries.
    try:
        return outbox_send(message_id=message_id).value
    except (OperationalError, InterfaceError) as exc:
        # No database to claim it with (or to mark it after reconnecting): the row is pending,
        # so the sweep sends it (after its lease, if it was claimed).
        logger.warning("outbox %s left to the sweep (%s)", message_id, type(exc).__name__)
        return Outcome.RETRY.value


@shared_task(name="common.outbox_send_pending")
def outbox_send_pending_task() -> dict[str, list[int]]:
    """Send every due pending message: the ones a dead worker or a broker outage left behind."""
    return outbox_send_pending()


@shared_task(name="common.audit_seal")
def audit_seal_task() -> int:
    """Seal the audit rows written since the last run into the chain."""
    return audit_seal()


@shared_task(name="common.audit_verify")
def audit_verify_task() -> dict[str, object]:
    """Recompute the audit chain (nightly); a break is logged and shown to trial managers."""
    result = audit_verify(by=None)
    if not result.ok:
        logger.error("audit trail BROKEN: %s", result.problem)
    return {"ok": result.ok, "rows": result.rows_checked, "problem": result.problem}


@shared_task(name="common.idempotency_keys_expire")
def idempotency_keys_expire_task() -> int:
    """Delete the Idempotency-Keys older than 24 hours (hourly; a second run finds none)."""
    return idempotency_keys_expire()
