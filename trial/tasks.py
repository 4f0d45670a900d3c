"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from trial.selectors import trial_get, trial_list
from trial.services import chain_verify


@shared_task(name="trial.chain_verify")
def chain_verify_task(trial_id: int) -> bool:
    """Verify one trial's allocation chains; return whether they are intact."""
    return chain_verify(trial=trial_get(pk=trial_id), by=None).ok


@shared_task(name="trial.chains_verify")
def chains_verify_task() -> int:
    """Queue the nightly check of each trial's chains, one task per trial; return how many."""
    ids = list(trial_list().values_list("pk", flat=True))
    for trial_id in ids:
        chain_verify_task.delay(trial_id)
    return len(ids)
