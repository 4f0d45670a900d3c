"""Celery tasks: take ids, call one service, safe to run twice, retry only transient failures."""

from __future__ import annotations

import datetime

from celery import shared_task
from celery.app.task import Task
from django.utils import timezone

from common.selectors import user_by_id
from outcomes.selectors import import_run_get, source_get
from outcomes.services import followup_wave_run, import_files_expire, source_pull, upload_import

RETRY_DELAYS = (60, 300, 1800)  # seconds: a records system down for maintenance comes back


@shared_task(bind=True, name="outcomes.followup_daily", max_retries=len(RETRY_DELAYS))
def followup_daily(self: Task, today: str | None = None) -> dict[str, object]:
    """Pull every source and freeze the windows that have closed (the beat job)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    result = followup_wave_run(today=day)
    if result.transient and self.request.retries < len(RETRY_DELAYS):
        # Same day on retry, so a retried wave freezes with the data cut it started with.
        raise self.retry(args=(day.isoformat(),), countdown=RETRY_DELAYS[self.request.retries])
    return {
        "today": day.isoformat(),
        "frozen": result.frozen,
        "blocked": result.blocked,
        "failed_sources": result.failed_sources,
    }


@shared_task(bind=True, name="outcomes.source_pull", max_retries=len(RETRY_DELAYS))
def source_pull_task(self: Task, source_id: int, user_id: int | None = None) -> list[int]:
    """Pull one source now (the data manager's button), in the name of who asked."""
    result = source_pull(source=source_get(pk=source_id), by=user_by_id(user_id))
    failure = result.failure
    if failure is not None and failure.transient and self.request.retries < len(RETRY_DELAYS):
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries])
    return [run.pk for run in result.runs]


@shared_task(name="outcomes.upload_import")
def upload_import_task(run_id: int) -> str:
    """Import an uploaded extract; a run already finished is left alone."""
    return upload_import(run=import_run_get(pk=run_id)).status


@shared_task(name="outcomes.import_files_expire")
def import_files_expire_task() -> dict[str, object]:
    """Remove kept extract files past their retention (the beat job); running twice removes none."""
    result = import_files_expire()
    return {"removed": result.removed, "sealed": result.sealed, "runs": result.runs}
