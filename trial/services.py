"""Writes of the trial app: trial set-up, design versions, status changes and allocation."""

from __future__ import annotations

import datetime
import itertools
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from trial.chain import allocation_hash
from trial.models import Allocation, Arm, DesignVersion, Slot, Stratum, Trial, TrialStatus
from trial.sequence import generate_block
from trial.tasks import allocation_notify_task

# Allowed status changes; anything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    TrialStatus.SETUP: {TrialStatus.RECRUITING},
    TrialStatus.RECRUITING: {TrialStatus.RECRUITMENT_CLOSED},
    TrialStatus.RECRUITMENT_CLOSED: {TrialStatus.FOLLOW_UP},
    TrialStatus.FOLLOW_UP: {TrialStatus.CLOSED},
    TrialStatus.CLOSED: set(),
}
# The design (arms' ratios, block sizes, strata) may change only in these statuses; once
# recruiting has started a change is a new design version, never an edit.
DESIGN_EDITABLE = {TrialStatus.SETUP, TrialStatus.RECRUITING}
BLOCKS_AHEAD = 2  # blocks generated when a stratum is created, and again whenever it runs out
MAX_STRATA = 500
MAX_BLOCK_SIZE = 200
RESERVED_CODES = {"new", "balance"}  # page names under /trial/
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
# Trial fields that do not affect allocation: editable in any status but closed.
SETTINGS_FIELDS = (
    "title",
    "research_email",
    "follow_up_months",
    "workshop_gap_days",
    "workshop_gap_min_days",
    "workshop_gap_max_days",
    "cycle_interval_days",
    "session_hours",
    "session_capacity",
    "compliance_weeks",
    "reminder_days_before",
)


@dataclass(frozen=True)
class ArmSpec:
    code: str
    name: str
    ratio: int = 1
    is_intervention: bool = False


def _design_check(
    arms: Sequence[ArmSpec],
    block_multipliers: Sequence[int],
    strata_factors: Mapping[str, Sequence[str]],
) -> None:
    if len(arms) < 2:
        raise DomainError("A trial needs at least two arms.", field="arms")
    if len({a.code for a in arms}) != len(arms):
        raise DomainError("Arm codes must be different.", field="arms")
    if any(not NAME_PATTERN.match(a.code) for a in arms):
        raise DomainError(
            "Arm codes are lower-case letters, digits, - and _, starting with a letter.",
            field="arms",
        )
    if any(a.ratio < 1 for a in arms):
        raise DomainError("Each arm's ratio must be at least 1.", field="arms")
    if not block_multipliers or any(m < 1 for m in block_multipliers):
        raise DomainError(
            "Block sizes must be positive multiples of the ratio sum.", field="block_multipliers"
        )
    if len(set(block_multipliers)) != len(block_multipliers):
        raise DomainError("Each block multiplier may appear once.", field="block_multipliers")
    if max(block_multipliers) * sum(a.ratio for a in arms) > MAX_BLOCK_SIZE:
        raise DomainError(
            f"The largest block would exceed {MAX_BLOCK_SIZE} places.", field="block_multipliers"
        )
    combinations = 1
    for factor, values in strata_factors.items():
        if not NAME_PATTERN.match(factor):
            raise DomainError(
                f"{factor!r} is not a valid factor name (lower-case letters, digits, - and _).",
                field="strata_factors",
            )
        if not values or len(set(values)) != len(values):
            raise DomainError(
                f"The factor {factor} needs at least one value, each listed once.",
                field="strata_factors",
            )
        if any(not NAME_PATTERN.match(v) for v in values):
            raise DomainError(
                f"Values of {factor} are lower-case letters, digits, - and _.",
                field="strata_factors",
            )
        combinations *= len(values)
    if combinations > MAX_STRATA:
        raise DomainError(
            f"These factors make {combinations} strata; at most {MAX_STRATA} are allowed.",
            field="strata_factors",
        )


def _settings_check(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"{', '.join(sorted(unknown))} cannot be set here.")
    clean = dict(values)
    if "follow_up_months" in clean:
        months = [int(m) for m in clean["follow_up_months"]]
        if not months or any(m < 1 for m in months):
            raise DomainError(
                "Give at least one follow-up window in whole months.", field="follow_up_months"
            )
        clean["follow_up_months"] = sorted(set(months))
    return clean


def _gap_check(trial: Trial) -> None:
    if not trial.workshop_gap_min_days <= trial.workshop_gap_days <= trial.workshop_gap_max_days:
        raise DomainError(
            "The gap between workshop parts must lie between its minimum and maximum.",
            field="workshop_gap_days",
        )


def trial_create(
    *,
    code: str,
    title: str,
    arms: Sequence[ArmSpec],
    strata_factors: Mapping[str, Sequence[str]],
    block_multipliers: Sequence[int] = (1, 2, 3),
    research_email: str = "",
    follow_up_months: Sequence[int] = (12, 24),
    options: Mapping[str, Any] | None = None,
    by: User | None,
) -> Trial:
    """Create a trial in set-up with its arms and first design version."""
    _design_check(arms, block_multipliers, strata_factors)
    fields = _settings_check(
        {"research_email": research_email, "follow_up_months": follow_up_months, **(options or {})}
    )
    if not re.match(r"^[A-Za-z][A-Za-z0-9-]*$", code) or code.lower() in RESERVED_CODES:
        raise DomainError(
            "A trial code is letters, digits and -, starting with a letter (not new or balance).",
            field="code",
        )
    if Trial.objects.filter(code=code).exists():
        raise ConflictError(f"A trial with code {code} already exists.", field="code")
    with transaction.atomic():
        trial = Trial(code=code, title=title, **fields)
        _gap_check(trial)
        trial.save(force_insert=True)
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


def trial_settings_update(*, trial: Trial, values: Mapping[str, Any], by: User | None) -> Trial:
    """Change the settings that do not affect allocation (title, e-mail, windows, workshops)."""
    clean = _settings_check(values)
    with transaction.atomic():
        locked = Trial.objects.select_for_update().get(pk=trial.pk)
        if locked.status == TrialStatus.CLOSED:
            raise NotAllowedError(f"Trial {locked.code} is closed: its settings are final.")
        changed = [name for name, value in clean.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, clean[name])
        _gap_check(locked)
        if changed:
            locked.save(update_fields=changed)
            audit_record(actor=by, action="trial.settings_update", obj=locked, fields=changed)
    return locked


def trial_design_update(
    *,
    trial: Trial,
    arms: Sequence[ArmSpec],
    block_multipliers: Sequence[int],
    strata_factors: Mapping[str, Sequence[str]],
    reason: str = "",
    by: User | None,
) -> DesignVersion:
    """Change arms and allocation design: in set-up in place; once recruiting, as a new version."""
    _design_check(arms, block_multipliers, strata_factors)
    with transaction.atomic():
        locked = Trial.objects.select_for_update().get(pk=trial.pk)
        if locked.status not in DESIGN_EDITABLE:
            raise NotAllowedError(
                f"Trial {locked.code} is {locked.get_status_display().lower()}: its allocation "
                "design can no longer change."
            )
        design = current_design(locked)
        ratios = {a.code: a.ratio for a in arms}
        factors = {k: list(v) for k, v in strata_factors.items()}
        if locked.status == TrialStatus.SETUP:
            _arms_replace(locked, arms)
            design.ratios, design.block_multipliers = ratios, list(block_multipliers)
            design.strata_factors = factors
            design.save(update_fields=["ratios", "block_multipliers", "strata_factors"])
            audit_record(actor=by, action="trial.design_edit", obj=locked, design=design.number)
            return design
        _arms_rename(locked, arms)
        if (ratios, list(block_multipliers), factors) == (
            design.ratios,
            design.block_multipliers,
            design.strata_factors,
        ):
            return design
        if not reason.strip():
            raise DomainError(
                "Recruiting has started: give the reason for a new design version.", field="reason"
            )
        new = DesignVersion.objects.create(
            trial=locked,
            number=design.number + 1,
            ratios=ratios,
            block_multipliers=list(block_multipliers),
            strata_factors=factors,
            reason=reason.strip(),
            created_by=by,
        )
        for spec in arms:
            Arm.objects.filter(trial=locked, code=spec.code).update(ratio=spec.ratio)
        _strata_prepare(locked, new)
        audit_record(
            actor=by,
            action="trial.design_revise",
            obj=locked,
            from_design=design.number,
            to_design=new.number,
            reason=new.reason,
        )
    return new


def _arms_replace(trial: Trial, arms: Sequence[ArmSpec]) -> None:
    """Make the trial's arms exactly these (set-up only: nothing refers to them yet)."""
    trial.arms.exclude(code__in=[a.code for a in arms]).delete()
    for order, spec in enumerate(arms):
        Arm.objects.update_or_create(
            trial=trial,
            code=spec.code,
            defaults={
                "name": spec.name,
                "ratio": spec.ratio,
                "is_intervention": spec.is_intervention,
                "order": order,
            },
        )


def _arms_rename(trial: Trial, arms: Sequence[ArmSpec]) -> None:
    """Allow new arm names once recruiting; arms themselves are fixed."""
    existing = {arm.code: arm for arm in trial.arms.all()}
    if set(existing) != {a.code for a in arms}:
        raise NotAllowedError(
            "Arms cannot be added or removed once recruiting has started.", field="arms"
        )
    for spec in arms:
        arm = existing[spec.code]
        if arm.is_intervention != spec.is_intervention:
            raise NotAllowedError(
                f"Whether {arm.name} is the intervention arm cannot change once recruiting.",
                field="arms",
            )
        if arm.name != spec.name:
            arm.name = spec.name
            arm.save(update_fields=["name"])


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
        if to_status == TrialStatus.RECRUITING and not locked.allocations_imported:
            # Sequences are drawn when the design freezes, before anyone is enrolled.
            _strata_prepare(locked, current_design(locked))
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
    factors: dict[str, list[str]] = {f: design.strata_factors[f] for f in design.factor_names}
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


def _strata_prepare(trial: Trial, design: DesignVersion) -> None:
    """Create every stratum of a design with its secret seed and first blocks."""
    factors: dict[str, list[str]] = {f: design.strata_factors[f] for f in design.factor_names}
    arms = {arm.code: arm for arm in trial.arms.all()}
    for combination in itertools.product(*factors.values()):
        key, values = _stratum_key(design, dict(zip(factors, combination, strict=True)))
        stratum, created = Stratum.objects.get_or_create(
            design=design,
            key=key,
            defaults={"trial": trial, "values": values, "seed": secrets.token_hex(32)},
        )
        if created:
            _extend(stratum, design, arms, BLOCKS_AHEAD)


def _extend(stratum: Stratum, design: DesignVersion, arms: dict[str, Arm], blocks: int) -> None:
    """Append new blocks to a stratum's sequence (the trial row is locked by the caller)."""
    seed = bytes.fromhex(stratum.seed)
    ratios = design.arm_ratios
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
    is locked to take its next slot and extend its hash chain, both until commit. SQLite: the
    IMMEDIATE write transaction serialises everything.
    """
    _participant_check(trial, participant_key)
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
    key = _fast_key(strata)
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
        transaction.on_commit(partial(allocation_notify_task.delay, allocation.pk))
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


def _fast_key(strata: Mapping[str, str]) -> str:
    """Return the stratum key these values would have, or "" if any is malformed.

    Only well-formed names and values are joined, so no value can smuggle in a separator; a
    key the current design lacks finds no stratum and is refused, with its reason, later.
    """
    if any(
        not isinstance(v, str) or not NAME_PATTERN.match(f) or not NAME_PATTERN.match(v)
        for f, v in strata.items()
    ):
        return ""
    return "|".join(f"{f}={strata[f]}" for f in sorted(strata)) or "all"


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
    key, values = _stratum_key(design, strata)
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
        _extend(stratum, design, {arm.code: arm for arm in trial.arms.all()}, BLOCKS_AHEAD)
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
            key, values = _stratum_key(design, strata)
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
