"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from workshops.services import reminders_send_due

# Breach e-mails leave through the outbox (common.outbox_send), with its retries.


@shared_task(name="workshops.reminders_send_due")
def reminders_send_due_task() -> int:
    """Send the reminders of sessions coming up (beat job; each reminder goes once)."""
    return reminders_send_due()
