"""Allocation: claiming the next slot of a stratum, and recording allocations made elsewhere."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from trial.chain import allocation_hash
from trial.models import Allocation, Arm, DesignVersion, Slot, Stratum, Trial, TrialStatus
from trial.selectors import current_design
from trial.services.claim_function import claim_in_database
from trial.services.notifications import allocation_notice_queue
from trial.services.strata import stratum_extend, stratum_key, stratum_key_of


def _participant_check(trial: Trial, participant_key: str) -> None:
    if not participant_key.startswith(f"{trial.code}-"):
        raise DomainError(
            f"{participant_key} is not a participant of trial {trial.code}.", field="participant"
        )


def allocation_claim(
    *,
    trial: Trial,
    participant_key: str,
    person_key: str,
    strata: Mapping[str, str],
    by: User | None,
    randomised_on: datetime.date | None = None,
) -> Allocation:
    """Claim the next slot of the participant's stratum and return the allocation.

    Runs in its own transaction (or the caller's savepoint). PostgreSQL: the trial row is share
    locked (claims run in parallel; a status or design change waits for them) and the stratum row
    is locked to take its next slot and extend its hash chain, both until commit; one call of
    the trial_allocation_claim function does all of it when it can. SQLite: the IMMEDIATE
    write transaction serialises everything.
    """
    _participant_check(trial, participant_key)
    try:
        with transaction.atomic():
            claimed = claim_in_database(
                trial=trial,
                participant_key=participant_key,
                person_key=person_key,
                strata=strata,
                by=by,
                randomised_on=randomised_on,
            )
            if claimed is None:
                return _claim(
                    trial=trial,
                    participant_key=participant_key,
                    person_key=person_key,
                    strata=strata,
                    by=by,
                    randomised_on=randomised_on,
                )
        # Built once the transaction is over, so the stratum's lock is not held for it.
        return claimed.allocation(trial)
    except IntegrityError as exc:  # a unique constraint caught a duplicate participant or person
        raise _conflict(exc, trial, participant_key) from exc


def _conflict(exc: IntegrityError, trial: Trial, participant_key: str) -> Exception:
    """Name the duplicate a unique constraint caught; anything else is not a user's conflict."""
    # psycopg names the constraint; SQLite only lists the columns in its message.
    diag = getattr(exc.__cause__, "diag", None)
    text = getattr(diag, "constraint_name", None) or str(exc)
    if "participant" not in text and "person" not in text:
        return exc
    # Both may be duplicates, and databases differ in which they report: the participant's own
    # refusal comes first, as it did when a SELECT checked before claiming (refusals only).
    if Allocation.objects.filter(trial_id=trial.pk, participant_key=participant_key).exists():
        return ConflictError(f"{participant_key} has already been randomised.")
    return ConflictError("This person has already been randomised in this trial.")


def _claim(
    *,
    trial: Trial,
    participant_key: str,
    person_key: str,
    strata: Mapping[str, str],
    by: User | None,
    randomised_on: datetime.date | None,
) -> Allocation:
    # Six statements: share-lock the trial; lock the stratum; read its next slot; insert the
    # allocation; move the stratum's cursor and chain head; audit. Duplicates are refused by
    # unique constraints, not by a SELECT beforehand. The three reads are plain SQL: the claim
    # is CPU-bound under load, and compiling ORM queries cost more than running them.
    current = _trial_share_locked(trial.pk)
    _claim_allowed(current)
    key = stratum_key_of(strata)
    stratum = _stratum_locked(current, key) if key else None
    if stratum is None:  # an invalid stratum (refused here with its reason) or one not yet made
        stratum = _stratum_made(current, strata)
    design = stratum.design
    slot = _slot_at_cursor(current, stratum)
    slot.stratum = stratum
    now = timezone.now()
    allocation = Allocation(
        trial=current,
        seq=stratum.chain_length + 1,
        participant_key=participant_key,
        person_key=person_key,
        stratum=stratum,
        slot=slot,
        arm=slot.arm,
        randomised_on=randomised_on or timezone.localdate(now),
        allocated_at=now,
        allocated_by=by if by is not None and by.pk else None,
        prev_hash=stratum.chain_head,
    )
    allocation.row_hash = allocation_hash(allocation)
    allocation.save(force_insert=True)
    Stratum.objects.filter(pk=stratum.pk).update(
        next_position=stratum.next_position + 1,
        chain_length=allocation.seq,
        chain_head=allocation.row_hash,
    )
    stratum.next_position += 1
    stratum.chain_length, stratum.chain_head = allocation.seq, allocation.row_hash
    stratum.design = design
    # The audit row names the participant and chain position, never the arm of a future slot.
    audit_record(
        actor=by,
        action="allocation.claim",
        obj=allocation,
        trial=current.code,
        participant=participant_key,
        stratum=stratum.key,
        seq=allocation.seq,
    )
    if current.research_email:
        allocation_notice_queue(allocation_id=allocation.pk, trial_id=current.pk, by=by)
    return allocation


def _trial_share_locked(pk: int) -> Trial:
    """Read the trial under a FOR SHARE lock held until commit (PostgreSQL).

    Claims share the lock and run in parallel; trial_transition, trial_design_update and
    allocation_import take FOR UPDATE, so they wait for claims in flight and claims after them
    read what they committed: no claim commits under a status or design it did not see.
    """
    share = " FOR SHARE" if connection.features.has_select_for_update else ""
    table = connection.ops.quote_name(Trial._meta.db_table)
    found = list(Trial.objects.raw(f"SELECT * FROM {table} WHERE id = %s{share}", [pk]))  # noqa: S608
    if not found:
        raise Trial.DoesNotExist(f"No trial {pk}.")
    return found[0]


def _stratum_locked(trial: Trial, key: str) -> Stratum | None:
    """Lock the stratum of the current design (only its row) until commit.

    The row lock serialises claims of one stratum only; claims of other strata go on. The
    design is read in this statement, after the trial's share lock: it cannot change until
    commit. Only its number is loaded (the chain hash needs it); other fields load on use.
    """
    query = (
        "SELECT s.*, d.number AS design_number FROM trial_stratum s"
        " JOIN trial_designversion d ON d.id = s.design_id"
        " WHERE s.trial_id = %s AND s.key = %s AND s.design_id = ("
        "  SELECT id FROM trial_designversion WHERE trial_id = %s"
        "  ORDER BY number DESC LIMIT 1)"
    )
    if connection.features.has_select_for_update_of:
        query += " FOR UPDATE OF s"
    found = list(Stratum.objects.raw(query, [trial.pk, key, trial.pk]))
    if not found:
        return None
    stratum = found[0]
    stratum.design = DesignVersion.from_db(
        connection.alias,
        ["id", "trial_id", "number"],
        [stratum.design_id, trial.pk, stratum.design_number],  # type: ignore[attr-defined]
    )
    return stratum


def _stratum_made(trial: Trial, strata: Mapping[str, str]) -> Stratum:
    """Refuse invalid stratification values with their reason; make a missing stratum, locked."""
    design = current_design(trial)
    key, values = stratum_key(design, strata)
    # Strata are made at go-live; this covers a design without them.
    Stratum.objects.get_or_create(
        design=design,
        key=key,
        defaults={"trial": trial, "values": values, "seed": secrets.token_hex(32)},
    )
    stratum = Stratum.objects.select_for_update().get(design=design, key=key)
    stratum.design = design
    return stratum


def _slot_at_cursor(trial: Trial, stratum: Stratum) -> Slot:
    """Return the slot at the stratum's cursor with its arm, extending the sequence if needed."""
    # One statement: the arm row with the slot's columns alongside (slots hold only integers).
    query = (
        "SELECT a.*, sl.id AS slot_id, sl.block_number AS slot_block_number,"
        " sl.block_size AS slot_block_size FROM trial_slot sl"
        " JOIN trial_arm a ON a.id = sl.arm_id WHERE sl.stratum_id = %s AND sl.position = %s"
    )
    params = [stratum.pk, stratum.next_position]
    found: list[Any] = list(Arm.objects.raw(query, params))
    if not found:  # never "no slots left": the sequence grows by whole blocks
        design = DesignVersion.objects.get(pk=stratum.design_id)
        stratum_extend(stratum, design, {arm.code: arm for arm in trial.arms.all()})
        found = list(Arm.objects.raw(query, params))
    arm = found[0]
    slot = Slot.from_db(
        connection.alias,
        ["id", "stratum_id", "position", "block_number", "block_size", "arm_id"],
        [
            arm.slot_id,
            stratum.pk,
            stratum.next_position,
            arm.slot_block_number,
            arm.slot_block_size,
            arm.pk,
        ],
    )
    slot.arm = arm
    return slot


def _claim_allowed(trial: Trial) -> None:
    if trial.status != TrialStatus.RECRUITING:
        raise NotAllowedError(
            f"Trial {trial.code} is {trial.get_status_display().lower()}, not recruiting: "
            "nobody can be randomised now."
        )
    if trial.allocations_imported:
        raise NotAllowedError(
            f"Trial {trial.code} holds allocations imported from another system: "
            "it cannot randomise here."
        )


def allocation_import(
    *,
    trial: Trial,
    participant_key: str,
    person_key: str,
    arm_code: str,
    strata: Mapping[str, str],
    randomised_on: datetime.date,
    by: User | None,
) -> Allocation:
    """Record an allocation made by another system into the trial's history chain, without a slot.

    A trial's chains are all live or all imported: the first allocation decides, and the other
    kind is refused from then on.
    """
    _participant_check(trial, participant_key)
    try:
        with transaction.atomic():
            # FOR UPDATE waits for live claims in flight (they hold FOR SHARE) and holds off
            # new ones until commit, so the all-live-or-all-imported check cannot race.
            locked = Trial.objects.select_for_update().get(pk=trial.pk)
            if not locked.allocations_imported and Allocation.objects.filter(trial=locked).exists():
                raise NotAllowedError(
                    f"Trial {locked.code} randomises here: imported allocations cannot be "
                    "mixed into its chain."
                )
            arm = locked.arms.filter(code=arm_code).first()
            if arm is None:
                raise DomainError(f"{arm_code} is not an arm of trial {locked.code}.", field="arm")
            design = current_design(locked)
            key, values = stratum_key(design, strata)
            # No seed: an imported history has no sequence of ours to regenerate.
            stratum, _ = Stratum.objects.get_or_create(
                design=design, key=key, defaults={"trial": locked, "values": values, "seed": ""}
            )
            stratum.design = design
            # One chain for the whole history, in import order, headed on the trial row.
            allocation = Allocation(
                trial=locked,
                seq=locked.history_length + 1,
                participant_key=participant_key,
                person_key=person_key,
                stratum=stratum,
                slot=None,
                imported=True,
                arm=arm,
                randomised_on=randomised_on,
                allocated_at=timezone.now(),
                allocated_by=by if by is not None and by.pk else None,
                prev_hash=locked.history_head,
            )
            allocation.row_hash = allocation_hash(allocation)
            allocation.save(force_insert=True)
            locked.history_length, locked.history_head = allocation.seq, allocation.row_hash
            locked.allocations_imported = True
            locked.save(update_fields=["history_length", "history_head", "allocations_imported"])
            audit_record(
                actor=by,
                action="allocation.import",
                obj=allocation,
                trial=locked.code,
                participant=participant_key,
                stratum=key,
                seq=allocation.seq,
            )
            return allocation
    except IntegrityError as exc:
        raise _conflict(exc, trial, participant_key) from exc
