"""Celery tasks: take ids, call one service, safe to run twice.

Work on a trial names the trial: the daily job queues one automatic-report task per trial.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from celery.app.task import Task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reports.selectors import run_for_build
from reports.services import auto_reports_request, report_build, report_fail
from trial.selectors import STARTED, trial_get, trial_list

RETRY_DELAYS = (10, 60, 300)  # seconds: a database restart or failover comes back


@shared_task(bind=True, name="reports.build", max_retries=len(RETRY_DELAYS))
def report_build_task(self: Task, run_id: int) -> str:
    """Build one requested report; a finished run is left alone."""
    run = run_for_build(pk=run_id)
    try:
        return report_build(run=run).status
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries < len(RETRY_DELAYS):
            raise self.retry(countdown=RETRY_DELAYS[self.request.retries]) from exc
        return report_fail(run=run, message="The database was unavailable; try again.").status


@shared_task(name="reports.auto_interim")
def auto_interim_task(today: str | None = None) -> list[int]:
    """Queue the automatic interim reports of every started trial (the beat job)."""
    day = (datetime.date.fromisoformat(today) if today else timezone.localdate()).isoformat()
    ids = list(trial_list(statuses=STARTED).values_list("pk", flat=True))
    for trial_id in ids:
        auto_interim_trial_task.delay(trial_id, day)
    return ids


@shared_task(name="reports.auto_interim_trial")
def auto_interim_trial_task(trial_id: int, today: str) -> list[int]:
    """Request an interim report for each window of one trial a wave added snapshots to."""
    trial = trial_get(pk=trial_id)
    day = datetime.date.fromisoformat(today)
    return [run.pk for run in auto_reports_request(trial=trial, today=day)]
