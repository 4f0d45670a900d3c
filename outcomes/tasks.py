"""Celery tasks: take ids, call one service, safe to run twice, retry only transient failures.

Work on a trial's data names the trial: the daily job queues one follow-up task per trial.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from celery.app.task import Task
from django.utils import timezone

from common.selectors import user_by_id
from outcomes.selectors import import_run_get, source_get
from outcomes.services import followup_wave_run, import_files_expire, source_pull, upload_import
from trial.selectors import trial_get, trials_with_allocations

RETRY_DELAYS = (60, 300, 1800)  # seconds: a records system down for maintenance comes back


@shared_task(name="outcomes.followup_daily")
def followup_daily(today: str | None = None) -> list[int]:
    """Queue the day's follow-up of every trial with participants (the beat job)."""
    day = (datetime.date.fromisoformat(today) if today else timezone.localdate()).isoformat()
    ids = list(trials_with_allocations().values_list("pk", flat=True))
    for trial_id in ids:
        followup_trial_task.delay(trial_id, day)
    return ids


@shared_task(bind=True, name="outcomes.followup_trial", max_retries=len(RETRY_DELAYS))
def followup_trial_task(self: Task, trial_id: int, today: str) -> dict[str, object]:
    """Pull one trial's sources and freeze its windows that have closed."""
    day = datetime.date.fromisoformat(today)
    trial = trial_get(pk=trial_id)
    result = followup_wave_run(trial=trial, today=day)
    if result.transient and self.request.retries < len(RETRY_DELAYS):
        # Same day on retry, so a retried wave freezes with the data cut it started with.
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries])
    return {
        "trial": trial.code,
        "today": today,
        "frozen": result.frozen,
        "blocked": result.blocked,
        "failed_sources": result.failed_sources,
    }


@shared_task(bind=True, name="outcomes.source_pull", max_retries=len(RETRY_DELAYS))
def source_pull_task(self: Task, source_id: int, user_id: int | None = None) -> list[int]:
    """Pull one source now (the data manager's button), in the name of who asked."""
    result = source_pull(source=source_get(user=None, pk=source_id), by=user_by_id(user_id))
    failure = result.failure
    if failure is not None and failure.transient and self.request.retries < len(RETRY_DELAYS):
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries])
    return [run.pk for run in result.runs]


@shared_task(name="outcomes.upload_import")
def upload_import_task(run_id: int) -> str:
    """Import an uploaded extract; a run already finished is left alone."""
    return upload_import(run=import_run_get(user=None, pk=run_id)).status


@shared_task(name="outcomes.import_files_expire")
def import_files_expire_task() -> dict[str, object]:
    """Remove kept extract files past their retention (the beat job); running twice removes none.

    Installation-wide on purpose: the retention period is one rule for every kept file, and an
    upload whose run was never committed belongs to no trial yet must expire too.
    """
    result = import_files_expire()
    return {"removed": result.removed, "sealed": result.sealed, "runs": result.runs}
