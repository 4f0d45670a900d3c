"""Build the demo: organisations, users, then two trials with each app's synthetic data.

CARA-HANTS is the full story (two and a half years of recruitment, workshops, follow-up and an
interim report); CARA-WMP started a few months ago in the West Midlands with its own provider,
so the trial picker, the coordinator's side-by-side view and every wall between trials have
something on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from common.models import User
from common.services import audit_record
from demo.api import demo_api_tokens_load
from demo.outcomes import demo_outcomes_load
from demo.participants import Recruitment, demo_participants_load, recruitment_start
from demo.people import (
    HAMPSHIRE,
    HANTS,
    PROVIDER_OF,
    WEST_MIDLANDS,
    WMP,
    DemoLogin,
    DemoOrganisations,
    demo_memberships_load,
    demo_organisations_load,
    demo_users_load,
)
from demo.plans import demo_plan_load
from demo.privacy import demo_privacy_load
from demo.reports import demo_reports_load
from demo.safety import demo_safety_events_load
from demo.trial import demo_chain_verify, demo_trial_load
from demo.workshops import demo_workshops_load
from trial.selectors import current_design
from workshops.selectors import delivery_of
from workshops.services import delivery_set

if TYPE_CHECKING:
    from trial.models import Trial

HANTS_RECRUITMENT = Recruitment()  # two and a half years of cases
# CARA-WMP: a few months in, its people numbered after CARA-HANTS's.
WMP_RECRUITMENT = Recruitment(cases=36, months_back=4, seed=20260801, first_person=1001)
WMP_VENUES = ["Midlands Change Trust, Digbeth", "Midlands Change Trust, Coventry"]


@dataclass(frozen=True)
class DemoResult:
    summary: str
    logins: list[DemoLogin]


def _deliveries(trial: Trial, orgs: DemoOrganisations, manager: User) -> None:
    """Say which provider runs the trial's areas' workshops (its counsellors' queue)."""
    provider = orgs.providers[PROVIDER_OF[trial.code]]
    codes = current_design(trial).strata_factors.get("area", [])
    for areas in orgs.areas.values():
        for area in areas:
            if area.code in codes and delivery_of(trial=trial, police_area=area) != provider:
                delivery_set(trial=trial, police_area=area, provider=provider, by=manager)


def demo_load() -> DemoResult:
    """Load every part of the demo; safe to run again (existing demo data is kept)."""
    orgs = demo_organisations_load()
    logins = demo_users_load()
    manager = User.objects.get(username="manager")
    hampshire = orgs.areas[HAMPSHIRE]
    trial = demo_trial_load(
        areas=hampshire,
        manager=manager,
        code=HANTS,
        recruitment_from=recruitment_start(HANTS_RECRUITMENT),
    )
    demo_memberships_load(trial)
    _deliveries(trial, orgs, manager)
    cases = demo_participants_load(
        trial=trial, areas=hampshire, manager=manager, recruitment=HANTS_RECRUITMENT
    )
    demo_chain_verify(trial=trial, manager=manager)  # after enrolment, so it covers every row
    follow_up = demo_outcomes_load(trial=trial, manager=manager)
    workshops = demo_workshops_load(trial=trial, manager=manager)
    demo_safety_events_load(trial=trial, manager=manager)  # before the report, which counts them
    demo_plan_load(trial=trial, manager=manager)  # before the report: declared, then unblinded
    report = demo_reports_load(trial=trial)

    wmp_manager = User.objects.get(username="wmp-manager")
    midlands = orgs.areas[WEST_MIDLANDS]
    wmp = demo_trial_load(
        areas=midlands,
        manager=wmp_manager,
        code=WMP,
        recruitment_from=recruitment_start(WMP_RECRUITMENT),
    )
    demo_memberships_load(wmp)
    _deliveries(wmp, orgs, wmp_manager)
    wmp_cases = demo_participants_load(
        trial=wmp, areas=midlands, manager=wmp_manager, recruitment=WMP_RECRUITMENT
    )
    demo_chain_verify(trial=wmp, manager=wmp_manager)
    wmp_workshops = demo_workshops_load(
        trial=wmp, manager=wmp_manager, counsellor_name="wmp-counsellor", venues=WMP_VENUES
    )

    api_tokens = demo_api_tokens_load(trial=trial, manager=manager)
    audit = demo_privacy_load(trial=trial, report=report, manager=manager)  # last: covers all
    # One short line a trial: read at a glance in the terminal before the sign-in details.
    summary = "\n  ".join(
        [
            "Demo loaded:",
            f"Trial {trial.code} ({trial.get_status_display()}): {len(hampshire)} police areas, "
            f"provider {PROVIDER_OF[HANTS]}, {cases.screened} cases screened "
            f"({cases.randomised} randomised), {follow_up.records} re-offence records "
            f"({follow_up.snapshots} snapshots frozen), {workshops.cycles} workshop cycles "
            f"({workshops.booked} men booked, {workshops.breaches} breaches).",
            f"Counsellor's calendar feed: {workshops.feed_path}"
            + (f"  Interim report: /research/reports/{report.pk}/" if report else ""),
            f"Trial {wmp.code} ({wmp.get_status_display()}): {len(midlands)} police areas, "
            f"provider {PROVIDER_OF[WMP]}, {wmp_cases.screened} cases screened "
            f"({wmp_cases.randomised} randomised), {wmp_workshops.cycles} workshop cycles.",
            f"API service tokens of {trial.code} (new each load; /api/docs/, docs/api.md):",
            *(f"  {name}: {secret}" for name, secret in api_tokens),
            f"Audit trail: {audit.rows_checked} rows, "
            + ("intact (/audit/)." if audit.ok else f"BROKEN: {audit.problem}"),
        ]
    )
    return DemoResult(summary=summary, logins=logins)


def demo_load_forced(*, operator: str, host: str, reason: str) -> DemoResult:
    """Load the demo outside demo mode (a training installation), recording who forced it."""
    # Recorded first, in the load's own transaction: the event exists exactly when the demo
    # data do, and says who put invented people and cases into a non-demo database.
    audit_record(
        actor=None,
        action="demo.load_forced",
        object_type="demo",
        object_id="load_demo",
        operator=operator,
        host=host,
        reason=reason,
        command="manage.py load_demo --force",
    )
    return demo_load()
