"""Imported histories: one chain per trial in import order, without slots, verified too."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from trial.models import Allocation, Trial
from trial.services import allocation_import, chain_verify

from .support import make_trial
from .test_tamper import sql


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
    rows = list(Allocation.objects.filter(trial=trial).order_by("seq"))
    # The whole history is one chain across its strata, in the order it was imported.
    expected = [(n, f"HIST-{n:04d}") for n in range(1, 11)]
    assert [(r.seq, r.participant_key) for r in rows] == expected
    assert rows[1].prev_hash == rows[0].row_hash
    assert all(r.imported and r.slot is None for r in rows)
    assert rows[4].randomised_on == datetime.date(2019, 1, 5)
    trial.refresh_from_db()
    assert trial.allocations_imported
    assert (trial.history_length, trial.history_head) == (10, rows[-1].row_hash)
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


def _history() -> Trial:
    trial = make_trial("HIST", recruiting=False)
    for n in range(1, 6):
        allocation_import(
            trial=trial,
            participant_key=f"HIST-{n:04d}",
            person_key=f"p{n}",
            arm_code="cara" if n % 2 else "control",
            strata={"area": "north" if n % 2 else "south"},
            randomised_on=datetime.date(2019, 1, n),
            by=None,
        )
    return trial


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statement", "seq", "words"),
    [
        ("UPDATE trial_allocation SET randomised_on = '2019-02-01' WHERE seq = 2", 2, "changed"),
        ("DELETE FROM trial_allocation WHERE seq = 3", 3, "row 3 is missing"),
        ("DELETE FROM trial_allocation WHERE seq = 5", 5, "row 5 is missing"),
    ],
)
def test_tampering_with_an_imported_history_is_detected(
    statement: str, seq: int, words: str
) -> None:
    trial = _history()
    sql(f"{statement} AND trial_id = %s", [trial.pk])
    verification = chain_verify(trial=trial, by=None)
    assert not verification.ok
    assert (verification.first_broken_stratum, verification.first_broken_seq) == (
        "imported history",
        seq,
    )
    assert words in verification.message
