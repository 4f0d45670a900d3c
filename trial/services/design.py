"""Writes of the trial app: trial set-up, design versions and status changes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record, membership_grant
from common.transitions import Transitions
from trial.models import Arm, DesignVersion, Trial, TrialStatus
from trial.selectors import current_design
from trial.services.strata import NAME_PATTERN, strata_prepare

# Allowed status changes; anything else is refused.
TRANSITIONS: Transitions[str] = Transitions(
    {
        TrialStatus.SETUP: {TrialStatus.RECRUITING},
        TrialStatus.RECRUITING: {TrialStatus.RECRUITMENT_CLOSED},
        TrialStatus.RECRUITMENT_CLOSED: {TrialStatus.FOLLOW_UP},
        TrialStatus.FOLLOW_UP: {TrialStatus.CLOSED},
        TrialStatus.CLOSED: set(),
    },
    statuses=TrialStatus,
)
# The design (arms' ratios, block sizes, strata) may change only in these statuses; once
# recruiting has started a change is a new design version, never an edit.
DESIGN_EDITABLE = {TrialStatus.SETUP, TrialStatus.RECRUITING}
MAX_STRATA = 500
MAX_BLOCK_SIZE = 200
RESERVED_CODES = {"new", "balance"}  # page names under /trial/
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
    "deadline_limit_weeks",
    "reminder_days_before",
    "screening_correction_days",
    "retention_months",
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
    created_at: datetime.datetime | None = None,
    randomisation_recorded: str = "",
) -> Trial:
    """Create a trial in set-up with its arms and first design version.

    created_at backdates the trial and its first design when loading a trial that was set up
    earlier (the demo), as screened_at does for cases; the audit event keeps the real time.
    """
    _design_check(arms, block_multipliers, strata_factors)
    now = timezone.now()
    if created_at is not None and created_at > now:
        raise DomainError("A trial cannot be set up in the future.", field="created_at")
    fields = _settings_check(
        {"research_email": research_email, "follow_up_months": follow_up_months, **(options or {})}
    )
    if not re.match(r"^[A-Za-z][A-Za-z0-9-]*$", code) or code.lower() in RESERVED_CODES:
        raise DomainError(
            "A trial code is letters, digits and -, starting with a letter (not new or balance).",
            field="code",
        )
    for name, value in (("code", code), ("title", title)):
        longest = getattr(Trial._meta.get_field(name), "max_length", None)  # PostgreSQL: no more
        if isinstance(longest, int) and len(value) > longest:
            raise DomainError(f"A trial {name} is at most {longest} characters.", field=name)
    if Trial.objects.filter(code=code).exists():
        raise ConflictError(f"A trial with code {code} already exists.", field="code")
    with transaction.atomic():
        trial = Trial(
            code=code,
            title=title,
            created_at=created_at or now,
            randomisation_recorded=randomisation_recorded.strip(),
            **fields,
        )
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
            created_at=created_at or now,
            created_by=by,
        )
        dated = {"dated": created_at.isoformat()} if created_at else {}  # says it was backdated
        audit_record(actor=by, action="trial.create", obj=trial, code=code, **dated)
        if by is not None and not by.is_superuser:
            # Whoever sets a trial up manages it (granted by the system: nobody managed it yet).
            membership_grant(user=by, role=Role.TRIAL_MANAGER, trial=trial, by=None)
    return trial


def trial_settings_update(*, trial: Trial, values: Mapping[str, Any], by: User | None) -> Trial:
    """Change the settings that do not affect allocation (title, e-mail, windows, workshops)."""
    membership_check(by, trial, Role.TRIAL_MANAGER)
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
    membership_check(by, trial, Role.TRIAL_MANAGER)
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
        strata_prepare(locked, new)
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
    membership_check(by, trial, Role.TRIAL_MANAGER)
    with transaction.atomic():
        locked = Trial.objects.select_for_update().get(pk=trial.pk)
        TRANSITIONS.check(
            locked.status,
            to_status,
            lambda: NotAllowedError(
                f"A trial that is {locked.get_status_display().lower()} cannot move to "
                f"{TrialStatus(to_status).label.lower()}.",
                field="status",
            ),
        )
        from_status = locked.status
        locked.status = to_status
        if to_status == TrialStatus.CLOSED:
            locked.closed_on = timezone.localdate()  # the retention period runs from here
        locked.save(update_fields=["status", "closed_on"])
        if to_status == TrialStatus.RECRUITING and not locked.allocations_imported:
            # Sequences are drawn when the design freezes, before anyone is enrolled.
            strata_prepare(locked, current_design(locked))
        audit_record(
            actor=by,
            action="trial.transition",
            obj=locked,
            from_status=from_status,
            to_status=to_status,
        )
    return locked
