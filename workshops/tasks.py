"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from workshops.attendance import breach_notify
from workshops.reminders import reminders_send_due


@shared_task(name="workshops.breach_notify")
def breach_notify_task(breach_id: int) -> int:
    """E-mail the case officers about a breach (a second run sends nothing)."""
    return breach_notify(breach_id=breach_id)


@shared_task(name="workshops.reminders_send_due")
def reminders_send_due_task() -> int:
    """Send the reminders of sessions coming up (beat job; each reminder goes once)."""
    return reminders_send_due()
