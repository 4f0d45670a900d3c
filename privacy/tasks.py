"""Celery jobs of the privacy app: erasure when a closed trial's retention period ends."""

from __future__ import annotations

from celery import shared_task

from privacy.services import erasure_due_run, erasures_due


@shared_task(name="privacy.erasure_due")
def erasure_due_task(trial_id: int) -> dict[str, int]:
    """Erase one closed trial's personal data if its retention has ended (else nothing)."""
    return erasure_due_run(trial_id=trial_id)


@shared_task(name="privacy.erasures_due")
def erasures_due_task() -> list[int]:
    """The nightly job: one erasure task per trial whose retention has ended; their ids."""
    ids = erasures_due()
    for trial_id in ids:
        erasure_due_task.delay(trial_id)
    return ids
