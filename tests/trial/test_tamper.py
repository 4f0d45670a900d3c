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
from trial.services import chain_verify

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
    """North's chain holds CARA-0001, -0003, -0005 (rows 1-3); south's CARA-0002, -0004."""
    trial = make_trial()
    for n in range(1, 6):
        claim(trial, n, "north" if n % 2 else "south")
    return trial


def row(trial: Trial, area: str, seq: int) -> Allocation:
    return Allocation.objects.get(trial=trial, stratum__key=f"area={area}", seq=seq)


def verify_fails_naming(trial: Trial, area: str, seq: int | None, words: str) -> None:
    where = f"design v1 area={area}" + (f", row {seq}" if seq is not None else "")
    with pytest.raises(CommandError, match=f"BROKEN in {where}: .*{words}"):
        call_command("verify_allocations", "--trial", trial.code)
    latest = ChainVerification.objects.filter(trial=trial).latest()
    assert not latest.ok
    assert latest.first_broken_stratum == f"design v1 area={area}"
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
    changed = row(trial, "north", 2)
    other = trial.arms.exclude(pk=changed.arm_id).get()
    sql("UPDATE trial_allocation SET arm_id = %s WHERE id = %s", [other.pk, changed.pk])
    verify_fails_naming(trial, "north", 2, "row 2 \\(CARA-0003\\) was changed")


@pytest.mark.django_db
def test_changing_the_arm_of_a_used_slot_is_detected() -> None:
    trial = five_allocations()
    used = row(trial, "south", 1)
    other = trial.arms.exclude(pk=used.arm_id).get()
    sql("UPDATE trial_slot SET arm_id = %s WHERE id = %s", [other.pk, used.slot_id])
    verify_fails_naming(trial, "south", 1, "disagrees with the sequence slot")


@pytest.mark.django_db
def test_deleting_a_row_in_the_middle_is_detected() -> None:
    trial = five_allocations()
    sql("DELETE FROM trial_allocation WHERE id = %s", [row(trial, "north", 2).pk])
    verify_fails_naming(trial, "north", 2, "row 2 is missing")


@pytest.mark.django_db
@pytest.mark.parametrize(("area", "last"), [("north", 3), ("south", 2)])
def test_deleting_the_last_row_of_a_stratum_is_detected(area: str, last: int) -> None:
    trial = five_allocations()
    sql("DELETE FROM trial_allocation WHERE id = %s", [row(trial, area, last).pk])
    verify_fails_naming(trial, area, last, f"row {last} is missing \\(the chain has {last}\\)")


@pytest.mark.django_db
def test_deleting_the_last_row_and_rewinding_the_head_is_detected_by_the_slots_used() -> None:
    trial = five_allocations()
    before = row(trial, "north", 2)
    sql("DELETE FROM trial_allocation WHERE id = %s", [row(trial, "north", 3).pk])
    sql(
        "UPDATE trial_stratum SET chain_length = 2, chain_head = %s WHERE id = %s",
        [before.row_hash, before.stratum_id],
    )
    verify_fails_naming(trial, "north", 3, "used 3 slots but its chain has 2 rows")


@pytest.mark.django_db
def test_deleting_every_row_of_a_stratum_is_detected() -> None:
    trial = five_allocations()
    sql(
        "DELETE FROM trial_allocation WHERE stratum_id = %s",
        [row(trial, "south", 1).stratum_id],
    )
    verify_fails_naming(trial, "south", 1, "row 1 is missing \\(the chain has 2\\)")


@pytest.mark.django_db
def test_inserting_a_forged_row_is_detected() -> None:
    trial = five_allocations()
    last = row(trial, "south", 2)
    spare = last.stratum.slots.get(position=last.stratum.next_position)
    sql(
        "INSERT INTO trial_allocation (trial_id, seq, participant_key, person_key, stratum_id,"
        " slot_id, arm_id, randomised_on, allocated_at, prev_hash, row_hash, imported)"
        " VALUES (%s, 3, 'CARA-0099', 'forged', %s, %s, %s, %s, %s, %s, %s, %s)",
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
    verify_fails_naming(trial, "south", 3, "CARA-0099.*added behind the application's back")


@pytest.mark.django_db
def test_moving_a_row_to_another_stratum_is_detected() -> None:
    trial = five_allocations()
    moved = row(trial, "north", 3)
    south = row(trial, "south", 1).stratum_id
    sql("UPDATE trial_allocation SET stratum_id = %s WHERE id = %s", [south, moved.pk])
    verify_fails_naming(trial, "north", 3, "row 3 is missing")


@pytest.mark.django_db
def test_rewriting_a_row_with_a_recomputed_hash_breaks_the_next_link() -> None:
    trial = five_allocations()
    rewritten = row(trial, "north", 1)
    rewritten.participant_key = "CARA-0077"
    sql(
        "UPDATE trial_allocation SET participant_key = %s, row_hash = %s WHERE id = %s",
        ["CARA-0077", allocation_hash(rewritten), rewritten.pk],
    )
    verify_fails_naming(trial, "north", 2, "does not link")


@pytest.mark.django_db
def test_a_stratum_the_design_never_made_is_detected() -> None:
    trial = five_allocations()
    stratum = row(trial, "south", 1).stratum
    sql("UPDATE trial_stratum SET key = 'area=east' WHERE id = %s", [stratum.pk])
    verify_fails_naming(trial, "east", None, "is not a stratum of its design")


@pytest.mark.django_db
def test_a_stratum_removed_with_its_rows_and_slots_is_detected() -> None:
    trial = five_allocations()
    stratum = row(trial, "south", 1).stratum_id
    sql("DELETE FROM trial_allocation WHERE stratum_id = %s", [stratum])
    sql("DELETE FROM trial_slot WHERE stratum_id = %s", [stratum])
    sql("DELETE FROM trial_stratum WHERE id = %s", [stratum])
    verify_fails_naming(trial, "south", None, "the stratum is missing")


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_and_names_the_stratum_and_row() -> None:
    trial = five_allocations()
    try:
        sql("DELETE FROM trial_allocation WHERE id = %s", [row(trial, "north", 2).pk])
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
        assert chain_verify(trial=trial, by=None).first_broken_seq == 2
    assert done.returncode == 1
    assert (
        "CARA: BROKEN in design v1 area=north, row 2: row 2 is missing (next is 3)" in done.stderr
    )
