"""Someone with database rights edits the allocation log behind the application's back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.support.worker import _database_url
from trial.chain import allocation_hash
from trial.models import Allocation, ChainVerification, Trial
from trial.verification import chain_verify

from .support import claim, make_trial

ROOT = Path(__file__).resolve().parents[2]
SQLITE_TRIGGERS = {  # from trial/migrations/0002
    "trial_allocation_irreversible": "trial_allocation",
    "trial_slot_irreversible": "trial_slot",
}
MESSAGE = "allocations are irreversible: record a post-randomisation event instead"


@contextmanager
def triggers_bypassed() -> Iterator[None]:
    """Switch the irreversibility triggers off as an attacker with DDL rights would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # superuser: no triggers
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")
            else:
                for name, table in SQLITE_TRIGGERS.items():
                    cursor.execute(
                        f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                    )


def sql(statement: str, params: list[Any]) -> None:
    with triggers_bypassed(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def five_allocations() -> Trial:
    trial = make_trial()
    for n in range(1, 6):
        claim(trial, n, "north" if n % 2 else "south")
    return trial


def verify_fails_naming(trial: Trial, seq: int, words: str) -> None:
    with pytest.raises(CommandError, match=f"BROKEN at row {seq}: .*{words}"):
        call_command("verify_allocations", "--trial", trial.code)
    latest = ChainVerification.objects.filter(trial=trial).latest()
    assert not latest.ok
    assert latest.first_broken_seq == seq


@pytest.mark.django_db
def test_an_untouched_chain_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    trial = five_allocations()
    call_command("verify_allocations", "--trial", trial.code)
    assert "CARA: intact, 5 rows verified" in capsys.readouterr().out
    assert ChainVerification.objects.get(trial=trial).ok


@pytest.mark.django_db
def test_changing_an_allocations_arm_is_detected() -> None:
    trial = five_allocations()
    row = Allocation.objects.get(trial=trial, seq=3)
    other = trial.arms.exclude(pk=row.arm_id).get()
    sql("UPDATE trial_allocation SET arm_id = %s WHERE id = %s", [other.pk, row.pk])
    verify_fails_naming(trial, 3, "CARA-0003.*changed")


@pytest.mark.django_db
def test_changing_the_arm_of_a_used_slot_is_detected() -> None:
    trial = five_allocations()
    row = Allocation.objects.get(trial=trial, seq=2)
    other = trial.arms.exclude(pk=row.arm_id).get()
    sql("UPDATE trial_slot SET arm_id = %s WHERE id = %s", [other.pk, row.slot_id])
    verify_fails_naming(trial, 2, "disagrees with the sequence slot")


@pytest.mark.django_db
def test_deleting_a_row_in_the_middle_is_detected() -> None:
    trial = five_allocations()
    sql("DELETE FROM trial_allocation WHERE trial_id = %s AND seq = 3", [trial.pk])
    verify_fails_naming(trial, 3, "missing")


@pytest.mark.django_db
def test_deleting_the_last_row_is_detected() -> None:
    trial = five_allocations()
    sql("DELETE FROM trial_allocation WHERE trial_id = %s AND seq = 5", [trial.pk])
    verify_fails_naming(trial, 5, "missing")


@pytest.mark.django_db
def test_inserting_a_forged_row_is_detected() -> None:
    trial = five_allocations()
    last = Allocation.objects.get(trial=trial, seq=5)
    spare = last.stratum.slots.get(position=last.stratum.next_position)
    sql(
        "INSERT INTO trial_allocation (trial_id, seq, participant_key, person_key, stratum_id,"
        " slot_id, arm_id, randomised_on, allocated_at, prev_hash, row_hash, imported)"
        " VALUES (%s, 6, 'CARA-0099', 'forged', %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            trial.pk,
            last.stratum_id,
            spare.pk,
            spare.arm_id,
            last.randomised_on,
            last.allocated_at,
            last.row_hash,
            "f" * 64,
            False,
        ],
    )
    verify_fails_naming(trial, 6, "added behind the application's back")


@pytest.mark.django_db
def test_rewriting_a_row_with_a_recomputed_hash_breaks_the_next_link() -> None:
    trial = five_allocations()
    row = Allocation.objects.get(trial=trial, seq=2)
    row.participant_key = "CARA-0077"
    sql(
        "UPDATE trial_allocation SET participant_key = %s, row_hash = %s WHERE id = %s",
        ["CARA-0077", allocation_hash(row), row.pk],
    )
    verify_fails_naming(trial, 3, "does not link")


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_and_names_the_row() -> None:
    trial = five_allocations()
    try:
        sql("DELETE FROM trial_allocation WHERE trial_id = %s AND seq = 4", [trial.pk])
        env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_TESTING": "1"}
        done = subprocess.run(
            [sys.executable, "manage.py", "verify_allocations", "--trial", "CARA"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        assert chain_verify(trial=trial, by=None).first_broken_seq == 4
    assert done.returncode == 1
    assert "CARA: BROKEN at row 4: row 4 is missing" in done.stderr
