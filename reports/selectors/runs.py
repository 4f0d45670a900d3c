"""Reads that depend on who is asking: row-level visibility is decided here.

Researchers and trial managers see every trial's reports; the reports, datasets and summaries
carry trial IDs and counts only, never personal data. Everyone else sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, QuerySet
from django.http import Http404

from common.models import User
from common.roles import Role, has_role
from outcomes.selectors import frozen_counts
from reports.models import ReportRun
from trial.selectors import STARTED, allocations, trial_arms, trial_list

if TYPE_CHECKING:
    from trial.models import Trial

AnyUser = User | AnonymousUser


def can_see_reports(user: AnyUser) -> bool:
    """Say whether the user may list, request and download reports."""
    return has_role(user, Role.RESEARCHER) or has_role(user, Role.TRIAL_MANAGER)


def runs_visible_to(user: AnyUser) -> QuerySet[ReportRun]:
    """Return the report runs the user may see, newest first."""
    runs = ReportRun.objects.select_related("trial", "requested_by")
    return runs if can_see_reports(user) else runs.none()


def run_get(*, user: AnyUser, pk: int) -> ReportRun:
    """Return one visible report run, or raise Http404."""
    try:
        return runs_visible_to(user).get(pk=pk)
    except ReportRun.DoesNotExist:
        raise Http404("No such report.") from None


def reportable_trials(user: AnyUser) -> QuerySet[Trial]:
    """Return the trials the user may ask reports of (set up and past)."""
    trials = trial_list(statuses=STARTED)
    return trials if can_see_reports(user) else trials.none()


@dataclass(frozen=True)
class ArmRecruitment:
    name: str
    is_intervention: bool
    randomised: int


@dataclass(frozen=True)
class WindowProgress:
    months: int
    frozen: int  # participants whose window has closed and been frozen
    randomised: int


@dataclass(frozen=True)
class TrialSummary:
    trial: Trial
    arms: list[ArmRecruitment]
    windows: list[WindowProgress]

    @property
    def randomised(self) -> int:
        return sum(a.randomised for a in self.arms)


def trial_summaries(user: AnyUser) -> list[TrialSummary]:
    """Return per visible trial the randomised count per arm and the follow-up windows closed."""
    found = []
    for trial in reportable_trials(user):
        counts = dict(
            allocations(trial=trial)
            .values_list("arm_id")
            .annotate(n=Count("id"))
            .values_list("arm_id", "n")
        )
        arms = [
            ArmRecruitment(a.name, a.is_intervention, counts.get(a.pk, 0))
            for a in trial_arms(trial)
        ]
        frozen = frozen_counts(trial=trial)
        total = sum(counts.values())
        windows = [WindowProgress(int(m), frozen.get(m, 0), total) for m in trial.follow_up_months]
        found.append(TrialSummary(trial=trial, arms=arms, windows=windows))
    return found


def run_for_build(*, pk: int) -> ReportRun:
    """Return a run with its trial and requester, as the worker builds it (no one's view)."""
    return ReportRun.objects.select_related("trial", "requested_by").get(pk=pk)
