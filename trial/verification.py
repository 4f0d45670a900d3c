"""Recompute a trial's allocation hash chain and record the result."""

from __future__ import annotations

from django.db import transaction

from common.models import User
from common.services import audit_record
from trial.chain import allocation_hash
from trial.models import ZERO_HASH, Allocation, ChainVerification, Trial


def _first_break(trial: Trial) -> tuple[int, int | None, str]:
    """Return (rows checked, first broken seq, why) for the chain as stored now."""
    expected_seq = 1
    prev_hash = ZERO_HASH
    rows = (
        Allocation.objects.filter(trial=trial)
        .select_related("trial", "stratum__design", "slot", "arm")
        .order_by("seq")
    )
    count = 0
    for allocation in rows.iterator(chunk_size=500):
        count += 1
        seq = allocation.seq
        if seq != expected_seq:
            if seq > expected_seq:
                return count, expected_seq, f"row {expected_seq} is missing (next stored is {seq})"
            return count, seq, f"row {seq} is out of order"
        label = f"row {seq} ({allocation.participant_key})"
        if seq > trial.chain_length:
            return count, seq, f"{label} was added behind the application's back"
        if allocation.prev_hash != prev_hash:
            return count, seq, f"{label} does not link to the row before it"
        if allocation_hash(allocation) != allocation.row_hash:
            return count, seq, f"{label} was changed after it was written"
        if allocation.imported != trial.allocations_imported:
            return count, seq, f"{label} mixes imported and live allocations"
        slot = allocation.slot
        if slot is not None and (
            slot.arm_id != allocation.arm_id or slot.stratum_id != allocation.stratum_id
        ):
            return count, seq, f"{label} disagrees with the sequence slot it used"
        prev_hash = allocation.row_hash
        expected_seq += 1
    last = expected_seq - 1
    if trial.chain_length != last:
        if trial.chain_length > last:
            return (
                count,
                last + 1,
                f"row {last + 1} is missing (the chain has {trial.chain_length})",
            )
        return (
            count,
            trial.chain_length + 1,
            (f"row {trial.chain_length + 1} was added behind the application's back"),
        )
    if trial.chain_head != prev_hash:
        return count, last or None, f"row {last} is not the head the trial recorded"
    return count, None, ""


def chain_verify(*, trial: Trial, by: User | None) -> ChainVerification:
    """Recompute every row hash and link of a trial's chain and record the result."""
    # Read under the trial lock so a concurrent allocation cannot look like a broken head.
    with transaction.atomic():
        locked = Trial.objects.select_for_update().get(pk=trial.pk)
        rows, broken, why = _first_break(locked)
        verification = ChainVerification.objects.create(
            trial=locked,
            ok=broken is None,
            rows_checked=rows,
            first_broken_seq=broken,
            message=why or f"{rows} rows verified",
        )
        audit_record(
            actor=by,
            action="chain.verify",
            obj=locked,
            ok=verification.ok,
            rows=rows,
            first_broken_seq=broken,
        )
    return verification
