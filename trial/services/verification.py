"""Recompute a trial's allocation hash chains (one per stratum) and record the result."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from trial.chain import allocation_hash
from trial.models import (
    ZERO_HASH,
    Allocation,
    ChainVerification,
    DesignVersion,
    Stratum,
    Trial,
    TrialStatus,
)


@dataclass(frozen=True)
class Break:
    """Where a chain first breaks: the stratum, the row (when one is to blame) and why."""

    stratum: str
    seq: int | None
    why: str


def stratum_label(stratum: Stratum) -> str:
    """Name a stratum's chain as the verification reports it, e.g. 'design v1 area=north'."""
    return f"design v{stratum.design.number} {stratum.key}"


def _expected_keys(design: DesignVersion) -> set[str]:
    """Every stratum key the design makes (the same form as strata.stratum_key)."""
    names = design.factor_names
    combinations = itertools.product(*(design.strata_factors[name] for name in names))
    return {
        "|".join(f"{name}={value}" for name, value in zip(names, values, strict=True)) or "all"
        for values in combinations
    }


def _strata_break(trial: Trial, strata: list[Stratum]) -> Break | None:
    """Check the set of strata is the one the designs created: none added, none removed."""
    present: dict[int, set[str]] = {}
    for stratum in strata:
        present.setdefault(stratum.design_id, set()).add(stratum.key)
        if stratum.key not in _expected_keys(stratum.design):
            return Break(stratum_label(stratum), None, "is not a stratum of its design")
    # A live trial made every stratum of each design when it froze (go-live or a new version);
    # an imported history makes only the strata its rows name.
    if trial.allocations_imported or trial.status == TrialStatus.SETUP:
        return None
    for design in trial.designs.order_by("number"):
        missing = sorted(_expected_keys(design) - present.get(design.pk, set()))
        if missing:
            return Break(f"design v{design.number} {missing[0]}", None, "the stratum is missing")
    return None


@dataclass
class _Walk:
    """Rows read so far, for the verification's count."""

    rows: int = 0


HISTORY = "imported history"


def _stratum_break(
    trial: Trial, stratum: Stratum | None, rows: Iterable[Allocation], walk: _Walk
) -> Break | None:
    """Walk one chain (a stratum's, or with no stratum the history's) to its recorded head."""
    if stratum is None:
        label, length, head = HISTORY, trial.history_length, trial.history_head
    else:
        label, length, head = stratum_label(stratum), stratum.chain_length, stratum.chain_head
    expected_seq, prev_hash = 1, ZERO_HASH
    for allocation in rows:
        walk.rows += 1
        seq = allocation.seq
        if seq != expected_seq:
            if seq > expected_seq:
                return Break(label, expected_seq, f"row {expected_seq} is missing (next is {seq})")
            return Break(label, seq, f"row {seq} is out of order")
        row = f"row {seq} ({allocation.participant_key})"
        if seq > length:
            return Break(label, seq, f"{row} was added behind the application's back")
        if allocation.trial_id != trial.pk or allocation.stratum.trial_id != trial.pk:
            return Break(label, seq, f"{row} belongs to another trial")
        if stratum is not None and allocation.stratum_id != stratum.pk:
            return Break(label, seq, f"{row} is not in this stratum")
        if allocation.prev_hash != prev_hash:
            return Break(label, seq, f"{row} does not link to the row before it")
        if allocation_hash(allocation) != allocation.row_hash:
            return Break(label, seq, f"{row} was changed after it was written")
        if allocation.imported != trial.allocations_imported:
            return Break(label, seq, f"{row} mixes imported and live allocations")
        slot = allocation.slot
        # Claims take a stratum's slots in order, one per row: row n used slot n.
        if slot is not None and (
            slot.arm_id != allocation.arm_id
            or slot.stratum_id != allocation.stratum_id
            or slot.position != seq
        ):
            return Break(label, seq, f"{row} disagrees with the sequence slot it used")
        prev_hash = allocation.row_hash
        expected_seq += 1
    last = expected_seq - 1
    if length > last:
        return Break(label, last + 1, f"row {last + 1} is missing (the chain has {length})")
    if head != prev_hash:
        return Break(label, last or None, f"row {last} is not the head recorded for the chain")
    if stratum is not None and not trial.allocations_imported and stratum.next_position != last + 1:
        return Break(
            label,
            last + 1,
            f"the stratum used {stratum.next_position - 1} slots but its chain has {last} rows",
        )
    return None


def _first_break(trial: Trial) -> tuple[int, Break | None]:
    """Return (rows checked, first break) for the chains as stored now."""
    strata = list(
        Stratum.objects.filter(trial=trial)
        .select_related("design")
        .order_by("design__number", "key")
    )
    broken = _strata_break(trial, strata)
    if broken is not None:
        return 0, broken
    walk = _Walk()
    if trial.allocations_imported:
        # A history is one chain in import order; its strata record no chain of their own.
        history = (
            Allocation.objects.filter(Q(trial=trial) | Q(stratum__trial=trial))
            .select_related("trial", "stratum__design", "slot", "arm")
            .order_by("seq", "pk")
        )
        broken = _stratum_break(trial, None, history.iterator(chunk_size=500), walk)
        for stratum in strata:
            if broken is None and (stratum.chain_length or stratum.chain_head != ZERO_HASH):
                broken = Break(stratum_label(stratum), None, "an imported stratum records a chain")
        return walk.rows, broken
    if trial.history_length or trial.history_head != ZERO_HASH:
        return 0, Break(HISTORY, None, "a live trial records an imported chain")
    # A row naming this trial or one of its strata is read, so one moved between trials or
    # strata cannot hide.
    rows = (
        Allocation.objects.filter(Q(trial=trial) | Q(stratum__trial=trial))
        .select_related("trial", "stratum__design", "slot", "arm")
        .order_by("stratum__design__number", "stratum__key", "stratum_id", "seq")
    )
    by_id = {stratum.pk: stratum for stratum in strata}
    walked: set[int] = set()
    for stratum_id, group in itertools.groupby(
        rows.iterator(chunk_size=500), key=lambda a: a.stratum_id
    ):
        own = by_id.get(stratum_id)
        if own is None:
            stray = next(group)
            walk.rows += 1
            return walk.rows, Break(
                f"{stratum_label(stray.stratum)} of trial {stray.stratum.trial_id}",
                stray.seq,
                f"row {stray.seq} ({stray.participant_key}) is in a stratum of another trial",
            )
        walked.add(stratum_id)
        broken = _stratum_break(trial, own, group, walk)
        if broken is not None:
            return walk.rows, broken
    for stratum in strata:  # a stratum whose every row was deleted still records its head
        if stratum.pk not in walked:
            broken = _stratum_break(trial, stratum, [], walk)
            if broken is not None:
                return walk.rows, broken
    return walk.rows, None


def chain_verify(*, trial: Trial, by: User | None) -> ChainVerification:
    """Recompute every row hash and link of a trial's stratum chains and record the result."""
    membership_check(by, trial, Role.TRIAL_MANAGER)
    # Claims hold the trial row FOR SHARE until commit, so FOR UPDATE waits for those in flight
    # and holds new ones off: no concurrent allocation can look like a broken head.
    with transaction.atomic():
        locked = Trial.objects.select_for_update().get(pk=trial.pk)
        rows, broken = _first_break(locked)
        verification = ChainVerification.objects.create(
            trial=locked,
            ok=broken is None,
            rows_checked=rows,
            first_broken_stratum=broken.stratum if broken else "",
            first_broken_seq=broken.seq if broken else None,
            message=broken.why if broken else f"{rows} rows verified",
        )
        audit_record(
            actor=by,
            action="chain.verify",
            obj=locked,
            ok=verification.ok,
            rows=rows,
            first_broken_stratum=verification.first_broken_stratum,
            first_broken_seq=verification.first_broken_seq,
        )
    return verification
