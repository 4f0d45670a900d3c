"""Reads that depend on who is asking: row-level visibility is decided here.

Researchers and trial managers see the reports of the trials where they hold the role; the
reports, datasets and summaries carry trial IDs and counts only, never personal data. Everyone
else sees none, and another trial's run is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from common.memberships import AnyUser, trial_q
from common.roles import Role, has_role
from outcomes.selectors import frozen_counts
from reports.models import ReportRun
from trial.selectors import STARTED, allocations, trial_arms, trials_for

if TYPE_CHECKING:
    from trial.models import Trial

# The committee reads the trial's runs (blinded and unblinded), never its dataset or cases.
REPORT_ROLES = (Role.RESEARCHER, Role.TRIAL_MANAGER, Role.DATA_MONITORING_COMMITTEE)


def can_see_reports(user: AnyUser) -> bool:
    """Say whether the user may list, request and download reports."""
    return any(has_role(user, role) for role in REPORT_ROLES)


def runs_visible_to(user: AnyUser, *, trial: Trial | None = None) -> QuerySet[ReportRun]:
    """Return the runs of the user's research or managed trials (of one, if given), newest first."""
    runs = ReportRun.objects.select_related("trial", "requested_by")
    runs = runs.filter(trial_q(user, *REPORT_ROLES))
    # A look the committee unblinded stays theirs: researchers who saw it could not stay blind.
    runs = runs.filter(
        Q(committee_only=False) | trial_q(user, Role.DATA_MONITORING_COMMITTEE, Role.TRIAL_MANAGER)
    )
    return runs if trial is None else runs.filter(trial=trial)


def run_get(*, user: AnyUser, pk: int) -> ReportRun:
    """Return one visible report run, or raise Http404."""
    try:
        return runs_visible_to(user).get(pk=pk)
    except ReportRun.DoesNotExist:
        raise Http404("No such report.") from None


def reportable_trials(user: AnyUser) -> QuerySet[Trial]:
    """Return the user's research or managed trials they may ask reports of (started and past)."""
    return trials_for(user, *REPORT_ROLES, statuses=STARTED)


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


def trial_summaries(user: AnyUser, *, trial: Trial | None = None) -> list[TrialSummary]:
    """Return per visible trial (or the one given) the randomised count per arm and windows."""
    trials = reportable_trials(user)
    if trial is not None:
        trials = trials.filter(pk=trial.pk)
    found = []
    for each in trials:
        counts = dict(
            allocations(trial=each)
            .values_list("arm_id")
            .annotate(n=Count("id"))
            .values_list("arm_id", "n")
        )
        arms = [
            ArmRecruitment(a.name, a.is_intervention, counts.get(a.pk, 0)) for a in trial_arms(each)
        ]
        frozen = frozen_counts(trial=each)
        total = sum(counts.values())
        windows = [WindowProgress(int(m), frozen.get(m, 0), total) for m in each.follow_up_months]
        found.append(TrialSummary(trial=each, arms=arms, windows=windows))
    return found


def run_for_build(*, pk: int) -> ReportRun:
    """Return a run with its trial and requester, as the worker builds it (no one's view)."""
    return ReportRun.objects.select_related("trial", "requested_by").get(pk=pk)
