"""Audited access to stored sequences: viewing one stratum, exporting for an offline check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from common.exceptions import DomainError, NotAllowedError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from trial.models import Slot, Stratum, Trial

PERMISSION = "trial.view_sequence"
MIN_REASON = 10
ALGORITHM = "hmac-sha256-permuted-blocks-v1"


@dataclass(frozen=True)
class SequenceRow:
    position: int
    block_number: int
    block_size: int
    arm: str
    used_by: str  # trial ID of the participant who took the slot, or ""


def _check(by: User, reason: str) -> str:
    if not by.has_perm(PERMISSION):
        raise NotAllowedError("Viewing the stored sequence needs the view_sequence permission.")
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise DomainError(
            f"Say why you need the sequence (at least {MIN_REASON} characters).", field="reason"
        )
    return reason


def sequence_reveal(*, stratum: Stratum, reason: str, by: User) -> list[SequenceRow]:
    """Return a stratum's stored sequence, recording who looked and why."""
    reason = _check(by, reason)
    membership_check(by, stratum.trial, Role.TRIAL_MANAGER)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="sequence.view",
            obj=stratum,
            trial=stratum.trial.code,
            stratum=stratum.key,
            reason=reason,
        )
        slots = (
            Slot.objects.filter(stratum=stratum)
            .select_related("arm", "allocation")
            .order_by("position")
        )
        return [
            SequenceRow(
                position=s.position,
                block_number=s.block_number,
                block_size=s.block_size,
                arm=s.arm.code,
                used_by=_used_by(s),
            )
            for s in slots
        ]


def _used_by(slot: Slot) -> str:
    allocation = getattr(slot, "allocation", None)
    return allocation.participant_key if allocation is not None else ""


def sequence_export(*, trial: Trial, reason: str, by: User) -> dict[str, Any]:
    """Return what a statistician needs to regenerate and check every stratum offline."""
    reason = _check(by, reason)
    membership_check(by, trial, Role.TRIAL_MANAGER)
    with transaction.atomic():
        audit_record(actor=by, action="sequence.export", obj=trial, trial=trial.code, reason=reason)
        designs = []
        for design in trial.designs.order_by("number"):
            strata = []
            for stratum in design.strata.order_by("key"):
                if not stratum.seed:  # imported history: no sequence of ours
                    continue
                slots = stratum.slots.select_related("arm").order_by("position")
                strata.append(
                    {
                        "key": stratum.key,
                        "seed": stratum.seed,
                        "blocks_generated": stratum.blocks_generated,
                        "used": stratum.next_position - 1,
                        "slots": [[s.position, s.block_number, s.arm.code] for s in slots],
                    }
                )
            designs.append(
                {
                    "number": design.number,
                    # Arm order matters: blocks are laid out in code order before shuffling.
                    "ratios": [list(item) for item in design.arm_ratios],
                    "block_multipliers": list(design.block_multipliers),
                    "strata": strata,
                }
            )
    return {
        "trial": trial.code,
        "algorithm": ALGORITHM,
        "designs": designs,
    }
