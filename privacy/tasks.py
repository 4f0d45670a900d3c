"""Celery jobs of the privacy app: erasure when a closed trial's retention period ends."""

from __future__ import annotations

from celery import shared_task

from privacy.services import erasures_due


@shared_task(name="privacy.erasures_due")
def erasures_due_task() -> dict[str, dict[str, int]]:
    """Erase the personal data of each closed trial whose retention period has ended."""
    return erasures_due()
