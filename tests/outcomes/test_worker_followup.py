"""The daily follow-up job end to end in a real Celery worker on the configured broker."""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from outcomes.models import ImportRun, ReoffenceRecord, RunStatus, Snapshot
from outcomes.selectors import snapshots_at_cut
from tests.outcomes.support import folder_source, make_trial, randomise, row, write_csv
from tests.support.worker import celery_worker

D = datetime.date


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_daily_job_pulls_scores_and_freezes_in_a_real_worker(
    tmp_path: Path, catalogue: None
) -> None:
    if os.environ.get("REQUIRE_REAL_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    trial = make_trial()
    for number in range(1, 21):
        randomise(trial, number, D(2023, 1, 1) + datetime.timedelta(days=number))
    folder_source(trial, tmp_path / "drop")
    write_csv(
        tmp_path / "drop" / "nightly.csv",
        [row(f"R{n}", n, D(2023, 6, 1), "008/06", "same_partner") for n in range(1, 21, 4)]
        + [row("R99", 99, D(2023, 6, 1))],
    )
    make_trial("EMPTY")  # no participants: no follow-up task is queued for it
    with celery_worker():
        queued = app.send_task("outcomes.followup_daily", args=["2025-06-01"]).get(timeout=60)
        assert queued == [trial.pk]
        deadline = time.monotonic() + 60
        while Snapshot.objects.count() < 40 and time.monotonic() < deadline:
            time.sleep(0.2)  # the trial's own task, queued by the daily job
        again = app.send_task("outcomes.followup_trial", args=[trial.pk, "2025-06-01"])
        result = again.get(timeout=60)
    assert (result["trial"], result["frozen"]) == ("CARA", 0)  # both windows frozen already
    assert ImportRun.objects.get().status == RunStatus.SUCCEEDED
    assert ReoffenceRecord.objects.filter(allocation__isnull=True).count() == 1
    assert Snapshot.objects.count() == 40
    rows = snapshots_at_cut(trial=trial, window_months=12, data_cut=D(2025, 6, 1))
    assert sum(r.reoffended for r in rows) == 5
    assert sum(r.harm_days for r in rows) == 50
    assert all(r.same_partner == r.reoffended for r in rows)
