"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from trial.selectors import TrialStatus, trial_get, trial_list
from workshops.services import reminders_send_due

# Breach e-mails leave through the outbox (common.outbox_send), with its retries.
WORKSHOP_TRIALS = [TrialStatus.RECRUITING, TrialStatus.RECRUITMENT_CLOSED, TrialStatus.FOLLOW_UP]


@shared_task(name="workshops.reminders_send_due_trial")
def reminders_send_due_trial_task(trial_id: int) -> int:
    """Queue one trial's reminders of sessions coming up (each reminder goes once)."""
    return reminders_send_due(trial=trial_get(pk=trial_id))


@shared_task(name="workshops.reminders_send_due")
def reminders_send_due_task() -> list[int]:
    """The beat job: one reminders task per trial that runs workshops; return their trial ids."""
    ids = list(trial_list(statuses=WORKSHOP_TRIALS).values_list("pk", flat=True))
    for trial_id in ids:
        reminders_send_due_trial_task.delay(trial_id)
    return ids
