"""Build the demo: organisations, users, then each app's synthetic trial data."""

from __future__ import annotations

from dataclasses import dataclass

from common.models import User
from demo.outcomes import demo_outcomes_load
from demo.participants import demo_participants_load
from demo.people import (
    DemoLogin,
    demo_memberships_load,
    demo_organisations_load,
    demo_users_load,
)
from demo.privacy import demo_privacy_load
from demo.reports import demo_reports_load
from demo.trial import demo_chain_verify, demo_trial_load
from demo.workshops import demo_workshops_load


@dataclass(frozen=True)
class DemoResult:
    summary: str
    logins: list[DemoLogin]


def demo_load() -> DemoResult:
    """Load every part of the demo; safe to run again (existing demo data is kept)."""
    areas, provider = demo_organisations_load()
    logins = demo_users_load()
    manager = User.objects.get(username="manager")
    trial = demo_trial_load(areas=areas, manager=manager)
    demo_memberships_load(trial)
    cases = demo_participants_load(trial=trial, areas=areas, manager=manager)
    demo_chain_verify(trial=trial, manager=manager)  # after enrolment, so it covers every row
    follow_up = demo_outcomes_load(trial=trial, manager=manager)
    workshops = demo_workshops_load(trial=trial, manager=manager)
    report = demo_reports_load(trial=trial)
    audit = demo_privacy_load(trial=trial, report=report, manager=manager)  # last: covers all
    summary = (
        f"Demo loaded: trial {trial.code} ({trial.get_status_display()}), "
        f"{len(areas)} police areas, provider {provider.name}, "
        f"{cases.screened} cases screened ({cases.randomised} randomised), "
        f"{follow_up.records} re-offence records ({follow_up.snapshots} snapshots frozen), "
        f"{workshops.cycles} workshop cycles ({workshops.booked} men booked, "
        f"{workshops.breaches} breaches). Counsellor's calendar feed: {workshops.feed_path}"
        + (f" Interim report: /research/reports/{report.pk}/" if report else "")
        + f" Audit trail: {audit.rows_checked} rows, "
        + ("intact (/audit/)." if audit.ok else f"BROKEN: {audit.problem}")
    )
    return DemoResult(summary=summary, logins=logins)
