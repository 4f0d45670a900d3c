"""Writes of the trial app: trial set-up, status changes, allocation and corrections."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from trial.chain import allocation_hash
from trial.models import (
    Allocation,
    Arm,
    DesignVersion,
    Slot,
    Stratum,
    Trial,
    TrialStatus,
)
from trial.sequence import generate_block

# Allowed status changes; anything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    TrialStatus.SETUP: {TrialStatus.RECRUITING},
    TrialStatus.RECRUITING: {TrialStatus.RECRUITMENT_CLOSED},
    TrialStatus.RECRUITMENT_CLOSED: {TrialStatus.FOLLOW_UP},
    TrialStatus.FOLLOW_UP: {TrialStatus.CLOSED},
    TrialStatus.CLOSED: set(),
}
BLOCKS_AHEAD = 2  # blocks generated when a stratum is first used, and kept ahead after


@dataclass(frozen=True)
class ArmSpec:
    code: str
    name: str
    ratio: int = 1
    is_intervention: bool = False


def trial_create(
    *,
    code: str,
    title: str,
    arms: Sequence[ArmSpec],
    strata_factors: Mapping[str, Sequence[str]],
    block_multipliers: Sequence[int] = (1, 2, 3),
    research_email: str = "",
    follow_up_months: Sequence[int] = (12, 24),
    by: User | None,
) -> Trial:
    """Create a trial in set-up with its arms and first design version."""
    if len(arms) < 2:
        raise DomainError("A trial needs at least two arms.", field="arms")
    if len({a.code for a in arms}) != len(arms):
        raise DomainError("Arm codes must be different.", field="arms")
    if any(a.ratio < 1 for a in arms):
        raise DomainError("Each arm's ratio must be at least 1.", field="arms")
    if not block_multipliers or any(m < 1 for m in block_multipliers):
        raise DomainError(
            "Block sizes must be positive multiples of the ratio sum.", field="block_multipliers"
        )
    if Trial.objects.filter(code=code).exists():
        raise ConflictError(f"A trial with code {code} already exists.", field="code")
    with transaction.atomic():
        trial = Trial.objects.create(
            code=code,
            title=title,
            research_email=research_email,
            follow_up_months=list(follow_up_months),
        )
        for order, spec in enumerate(arms):
            Arm.objects.create(
                trial=trial,
                code=spec.code,
                name=spec.name,
                ratio=spec.ratio,
                is_intervention=spec.is_intervention,
                order=order,
            )
        DesignVersion.objects.create(
            trial=trial,
            number=1,
            ratios={a.code: a.ratio for a in arms},
            block_multipliers=list(block_multipliers),
            strata_factors={k: list(v) for k, v in strata_factors.items()},
            reason="Initial design",
            created_by=by,
        )
        audit_record(actor=by, action="trial.create", obj=trial, code=code)
    return trial


def trial_transition(*, trial: Trial, to_status: str, by: User | None) -> Trial:
    """Move a trial to a new status if the transition table allows it."""
    with transaction.atomic():
        locked = Trial.objects.select_for_update().get(pk=trial.pk)
        if to_status not in TRANSITIONS[locked.status]:
            raise NotAllowedError(
                f"A trial that is {locked.get_status_display().lower()} cannot move to "
                f"{TrialStatus(to_status).label.lower()}.",
                field="status",
            )
        from_status = locked.status
        locked.status = to_status
        locked.save(update_fields=["status"])
        audit_record(
            actor=by,
            action="trial.transition",
            obj=locked,
            from_status=from_status,
            to_status=to_status,
        )
    return locked


def current_design(trial: Trial) -> DesignVersion:
    """Return the design version in force (the highest number)."""
    return trial.designs.order_by("-number").first() or _no_design(trial)


def _no_design(trial: Trial) -> DesignVersion:
    raise DomainError(f"Trial {trial.code} has no allocation design.")


def _stratum_key(design: DesignVersion, strata: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    factors: dict[str, list[str]] = design.strata_factors
    unknown = set(strata) - set(factors)
    if unknown:
        raise DomainError(
            f"{', '.join(sorted(unknown))} is not a stratification factor of this trial.",
            field="strata",
        )
    values: dict[str, str] = {}
    for factor, allowed in factors.items():
        value = strata.get(factor)
        if value is None or value == "":
            raise DomainError(f"The stratification factor {factor} is missing.", field=factor)
        if value not in allowed:
            raise DomainError(
                f"{value} is not a known value of {factor} for this trial.", field=factor
            )
        values[factor] = value
    key = "|".join(f"{f}={values[f]}" for f in factors) or "all"
    return key, values


def _extend(stratum: Stratum, design: DesignVersion, arms: dict[str, Arm], blocks: int) -> None:
    """Append new blocks to a stratum's sequence (its row is locked by the caller)."""
    seed = bytes.fromhex(stratum.seed)
    ratios = [(code, int(ratio)) for code, ratio in design.ratios.items()]
    position = stratum.slots.count() + 1
    new: list[Slot] = []
    for number in range(stratum.blocks_generated + 1, stratum.blocks_generated + blocks + 1):
        block = generate_block(seed, number, ratios, design.block_multipliers)
        for code in block:
            new.append(
                Slot(
                    stratum=stratum,
                    position=position,
                    block_number=number,
                    block_size=len(block),
                    arm=arms[code],
                )
            )
            position += 1
    Slot.objects.bulk_create(new)
    stratum.blocks_generated += blocks
    stratum.save(update_fields=["blocks_generated"])


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

    Runs in its own transaction (or the caller's): the trial row is locked for the duration, which
    serialises the allocation chain; on SQLite the IMMEDIATE write transaction does the same.
    """
    if not participant_key.startswith(f"{trial.code}-"):
        raise DomainError(
            f"{participant_key} is not a participant of trial {trial.code}.", field="participant"
        )
    try:
        with transaction.atomic():
            return _claim(
                trial=trial,
                participant_key=participant_key,
                person_key=person_key,
                strata=strata,
                by=by,
                randomised_on=randomised_on,
            )
    except IntegrityError as exc:  # a unique constraint caught a concurrent duplicate
        raise ConflictError(f"{participant_key} has already been randomised.") from exc


def _claim(
    *,
    trial: Trial,
    participant_key: str,
    person_key: str,
    strata: Mapping[str, str],
    by: User | None,
    randomised_on: datetime.date | None,
) -> Allocation:
    locked = Trial.objects.select_for_update().get(pk=trial.pk)
    if locked.status != TrialStatus.RECRUITING:
        raise NotAllowedError(
            f"Trial {locked.code} is {locked.get_status_display().lower()}, not recruiting: "
            "nobody can be randomised now."
        )
    if Allocation.objects.filter(trial=locked, participant_key=participant_key).exists():
        raise ConflictError(f"{participant_key} has already been randomised.")
    if Allocation.objects.filter(trial=locked, person_key=person_key).exists():
        raise ConflictError("This person has already been randomised in this trial.")
    design = current_design(locked)
    key, values = _stratum_key(design, strata)
    stratum, created = Stratum.objects.get_or_create(
        design=design,
        key=key,
        defaults={"trial": locked, "values": values, "seed": secrets.token_hex(32)},
    )
    arms = {arm.code: arm for arm in locked.arms.all()}
    if created:
        _extend(stratum, design, arms, BLOCKS_AHEAD)
    slot = (
        Slot.objects.select_related("arm")
        .filter(stratum=stratum, position=stratum.next_position)
        .first()
    )
    if slot is None:  # never "no slots left": the sequence grows by whole blocks
        _extend(stratum, design, arms, BLOCKS_AHEAD)
        slot = Slot.objects.select_related("arm").get(
            stratum=stratum, position=stratum.next_position
        )
    now = timezone.now()
    allocation = Allocation(
        trial=locked,
        seq=locked.chain_length + 1,
        participant_key=participant_key,
        person_key=person_key,
        stratum=stratum,
        slot=slot,
        arm=slot.arm,
        randomised_on=randomised_on or timezone.localdate(now),
        allocated_at=now,
        allocated_by=by if by is not None and by.pk else None,
        prev_hash=locked.chain_head,
    )
    allocation.row_hash = allocation_hash(allocation)
    allocation.save(force_insert=True)
    stratum.next_position += 1
    stratum.save(update_fields=["next_position"])
    locked.chain_length = allocation.seq
    locked.chain_head = allocation.row_hash
    locked.save(update_fields=["chain_length", "chain_head"])
    # The audit row names the participant and chain position, never the arm of a future slot.
    audit_record(
        actor=by,
        action="allocation.claim",
        obj=allocation,
        trial=locked.code,
        participant=participant_key,
        seq=allocation.seq,
    )
    return allocation
