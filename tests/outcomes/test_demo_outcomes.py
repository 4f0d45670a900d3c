"""The demo's follow-up data: believable re-offence rates, snapshots frozen, safe to reload."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from common.roles import Role
from demo.outcomes import demo_outcomes_load
from outcomes.models import ReoffenceRecord, Snapshot
from outcomes.selectors import snapshots_at_cut
from tests.outcomes.support import make_trial, pnc, randomise
from tests.support.factories import make_user


@pytest.mark.django_db
def test_the_demo_loads_records_and_snapshots_once(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    trial = make_trial()
    start = datetime.date(2023, 1, 2)
    for number in range(1, 301):
        randomise(trial, number, start + datetime.timedelta(days=number))
    manager = make_user(Role.TRIAL_MANAGER)
    first = demo_outcomes_load(trial=trial, manager=manager, pnc_of=pnc)
    assert first.records > 0
    assert first.snapshots == 600  # every 12- and 24-month window has closed
    assert ReoffenceRecord.objects.filter(allocation__isnull=True).count() == 0
    rows = snapshots_at_cut(
        trial=trial,
        window_months=12,
        data_cut=datetime.date.today(),  # noqa: DTZ011
    )
    for arm, low, high in (("control", 0.10, 0.32), ("cara", 0.05, 0.24)):
        mine = [r for r in rows if r.arm == arm]
        share = sum(r.reoffended for r in mine) / len(mine)
        assert low < share < high, (arm, share)
    assert any(r.same_partner for r in rows)
    assert sum(r.harm_days for r in rows) > 0
    again = demo_outcomes_load(trial=trial, manager=manager, pnc_of=pnc)
    assert (again.records, again.snapshots) == (first.records, 0)
    assert Snapshot.objects.count() == 600
