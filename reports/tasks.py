"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from celery.app.task import Task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reports.selectors import run_for_build
from reports.services import auto_reports_request, report_build, report_fail

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
    """Request an interim report for each window a follow-up wave has added snapshots to."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return [run.pk for run in auto_reports_request(today=day)]
