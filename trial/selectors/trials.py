"""Reads that depend on who is asking: row-level visibility is decided here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404

from common.exceptions import DomainError
from common.memberships import trial_q
from common.models import User
from common.roles import Role, has_role
from trial.models import (
    Allocation,
    Arm,
    ChainVerification,
    DesignVersion,
    PostRandomisationEvent,
    Stratum,
    Trial,
)
from trial.selectors.labels import AREA, area_names, stratum_label
from trial.selectors.lookup import trial_list

AnyUser = User | AnonymousUser


def trials_for(
    user: AnyUser, *roles: Role, statuses: Iterable[str] | None = None
) -> QuerySet[Trial]:
    """Return the trials where the user holds one of the roles, by code."""
    return trial_list(statuses=statuses).filter(trial_q(user, *roles, field="pk"))


def trial_for(user: AnyUser, *roles: Role, code: str) -> Trial:
    """Return the trial with this code if the user holds one of the roles in it, or 404."""
    trial = trials_for(user, *roles).filter(code=code).first()
    if trial is None:
        raise Http404("No such trial.")
    return trial


def _may_see_balance(user: User) -> bool:
    return has_role(user, Role.TRIAL_MANAGER) or has_role(user, Role.RESEARCHER)


def trials_for_manager(*, user: User) -> list[Trial]:
    """Return the user's managed trials with allocation count and last verification attached."""
    if not has_role(user, Role.TRIAL_MANAGER):
        raise PermissionDenied("Trials are configured by trial managers.")
    latest = ChainVerification.objects.filter(trial=OuterRef("pk")).order_by("-at", "-id")
    # The sum of the strata's chain lengths: one subquery, so the page's queries stay constant.
    lengths = (
        Stratum.objects.filter(trial=OuterRef("pk"))
        .values("trial")
        .annotate(n=Sum("chain_length"))
        .values("n")
    )
    trials: list[Any] = list(
        trials_for(user, Role.TRIAL_MANAGER).annotate(
            last_verification_id=Subquery(latest.values("id")[:1]),
            randomised=Coalesce(Subquery(lengths), 0) + F("history_length"),
        )
    )
    verifications = ChainVerification.objects.in_bulk(
        [t.last_verification_id for t in trials if t.last_verification_id]
    )
    for t in trials:
        t.last_verification = verifications.get(t.last_verification_id)
    return trials


def trials_for_balance(*, user: User) -> list[Trial]:
    """Return the trials whose balance the user may follow."""
    if not _may_see_balance(user):
        raise PermissionDenied("Balance is for trial managers and researchers.")
    return list(trials_for(user, Role.TRIAL_MANAGER, Role.RESEARCHER))


@dataclass
class CountRow:
    label: str
    counts: list[int]
    total: int = 0
    detail: str = ""


@dataclass
class Balance:
    trial: Trial
    arms: list[Arm]
    overall: CountRow
    strata: list[CountRow] = field(default_factory=list)
    months: list[tuple[datetime.date, CountRow]] = field(default_factory=list)
    corrections: list[CountRow] = field(default_factory=list)


def _row(label: str, arm_ids: list[int], by_arm: dict[int, int], detail: str = "") -> CountRow:
    counts = [by_arm.get(arm_id, 0) for arm_id in arm_ids]
    return CountRow(label=label, counts=counts, total=sum(counts), detail=detail)


def balance_for(*, trial: Trial, user: User) -> Balance:
    """Return randomised counts per arm overall, per stratum and per month: counts only."""
    if not _may_see_balance(user):
        raise PermissionDenied("Balance is for trial managers and researchers.")
    arms = list(trial.arms.all())
    arm_ids = [arm.pk for arm in arms]
    rows = Allocation.objects.filter(trial=trial)
    overall = dict(rows.values_list("arm").annotate(n=Count("id")).order_by())
    balance = Balance(trial=trial, arms=arms, overall=_row("All strata", arm_ids, overall))

    per_stratum: dict[int, dict[int, int]] = {}
    for stratum_id, arm_id, n in (
        rows.values_list("stratum", "arm").annotate(n=Count("id")).order_by()
    ):
        per_stratum.setdefault(stratum_id, {})[arm_id] = n
    # Strata not yet used are listed too, with zeros (their counts say nothing of future slots).
    strata = list(
        Stratum.objects.filter(trial=trial)
        .select_related("design")
        .order_by("design__number", "key")
    )
    areas = area_names(str(s.values.get(AREA, "")) for s in strata)
    for stratum in strata:
        detail = f"design version {stratum.design.number}"
        label = stratum_label(stratum.values, areas)
        balance.strata.append(_row(label, arm_ids, per_stratum.get(stratum.pk, {}), detail))

    per_month: dict[datetime.date, dict[int, int]] = {}
    monthly = (
        rows.annotate(month=TruncMonth("randomised_on"))
        .values_list("month", "arm")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    for month, arm_id, n in monthly:
        per_month.setdefault(month, {})[arm_id] = n
    balance.months = [
        (month, _row(f"{month:%b %Y}", arm_ids, per_month.get(month, {})))
        for month in _month_range(list(per_month))
    ]

    events = (
        PostRandomisationEvent.objects.filter(allocation__trial=trial)
        .values_list("kind", "allocation__arm")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_kind: dict[str, dict[int, int]] = {}
    for kind, arm_id, n in events:
        per_kind.setdefault(kind, {})[arm_id] = n
    for kind, counts in sorted(per_kind.items()):
        balance.corrections.append(_row(kind.replace("_", " ").capitalize(), arm_ids, counts))
    return balance


def _month_range(months: list[datetime.date]) -> list[datetime.date]:
    """Every first-of-month from the first to the last given, so quiet months show as zero."""
    if not months:
        return []
    first, last = min(months), max(months)
    out, current = [], first.replace(day=1)
    while current <= last:
        out.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return out


def allocation_events_for(*, trial: Trial, user: User) -> list[PostRandomisationEvent]:
    """Return a trial's post-randomisation records (trial managers only)."""
    if not has_role(user, Role.TRIAL_MANAGER):
        raise PermissionDenied("Post-randomisation records belong to trial managers.")
    return list(
        PostRandomisationEvent.objects.filter(allocation__trial=trial)
        .select_related("allocation", "allocation__arm", "recorded_by")
        .order_by("-recorded_at")
    )


def current_design(trial: Trial) -> DesignVersion:
    """Return the design version in force (the highest number)."""
    return trial.designs.order_by("-number").first() or _no_design(trial)


def _no_design(trial: Trial) -> DesignVersion:
    raise DomainError(f"Trial {trial.code} has no allocation design.")
