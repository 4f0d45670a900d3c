"""Imported histories: chained per stratum without a slot, and verified like live rows."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from trial.models import Allocation
from trial.services import allocation_import
from trial.verification import chain_verify

from .support import make_trial


@pytest.mark.django_db
def test_an_imported_history_forms_a_chain_that_verifies() -> None:
    trial = make_trial("HIST", recruiting=False)
    for n in range(1, 11):
        allocation_import(
            trial=trial,
            participant_key=f"HIST-{n:04d}",
            person_key=f"p{n}",
            arm_code="cara" if n % 3 else "control",
            strata={"area": "north" if n % 2 else "south"},
            randomised_on=datetime.date(2019, 1, n),
            by=None,
        )
    rows = list(Allocation.objects.filter(trial=trial).order_by("stratum__key", "seq"))
    by_area = [(r.stratum.key, r.seq) for r in rows]
    # Each stratum's rows form their own chain, numbered in the order they were imported.
    assert by_area == [("area=north", n) for n in range(1, 6)] + [
        ("area=south", n) for n in range(1, 6)
    ]
    assert [r.participant_key for r in rows[:3]] == ["HIST-0001", "HIST-0003", "HIST-0005"]
    assert rows[1].prev_hash == rows[0].row_hash
    assert all(r.imported and r.slot is None for r in rows)
    assert rows[2].randomised_on == datetime.date(2019, 1, 5)
    trial.refresh_from_db()
    assert trial.allocations_imported
    assert trial.chain_length == 10
    verification = chain_verify(trial=trial, by=None)
    assert verification.ok
    assert verification.rows_checked == 10


@pytest.mark.django_db
def test_the_database_refuses_a_live_row_without_a_slot() -> None:
    trial = make_trial()
    design = trial.designs.get()
    stratum = design.strata.first()
    assert stratum is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            trial=trial,
            seq=1,
            participant_key="CARA-0001",
            person_key="p",
            stratum=stratum,
            slot=None,
            imported=False,
            arm=trial.arms.get(code="cara"),
            randomised_on=timezone.localdate(),
            allocated_at=datetime.datetime.now(datetime.UTC),
            prev_hash="0" * 64,
            row_hash="x",
        )
