"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from smtplib import SMTPConnectError, SMTPServerDisconnected

from celery import shared_task

from workshops.services import breach_notify, breach_withdrawal_notify, reminders_send_due

# The mail server being away is transient: retry, or the officer never hears of the breach
# (nothing else sends it). A refused address or a bug is not, and is not retried.
TRANSIENT = (ConnectionError, TimeoutError, SMTPServerDisconnected, SMTPConnectError)


@shared_task(
    name="workshops.breach_notify",
    autoretry_for=TRANSIENT,
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def breach_notify_task(breach_id: int) -> int:
    """E-mail the case officers about a breach (a second run sends nothing)."""
    return breach_notify(breach_id=breach_id)


@shared_task(
    name="workshops.breach_withdrawal_notify",
    autoretry_for=TRANSIENT,
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def breach_withdrawal_notify_task(breach_id: int) -> int:
    """E-mail the officers told of a breach that it was withdrawn (a second run sends nothing)."""
    return breach_withdrawal_notify(breach_id=breach_id)


@shared_task(name="workshops.reminders_send_due")
def reminders_send_due_task() -> int:
    """Send the reminders of sessions coming up (beat job; each reminder goes once)."""
    return reminders_send_due()
