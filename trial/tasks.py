"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from trial.services import allocation_notify, chains_verify


@shared_task(
    name="trial.allocation_notify",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=8,
)
def allocation_notify_task(allocation_id: int) -> bool:
    """E-mail one allocation to the research team (at most once)."""
    return allocation_notify(allocation_id=allocation_id) is not None


@shared_task(name="trial.chains_verify")
def chains_verify_task() -> int:
    """Verify every trial's allocation chain; return how many are broken."""
    return chains_verify(by=None)
