"""The demo CARA trial: two arms 1:1, permuted blocks of 2, 4 or 6, stratified by area."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from common.models import PoliceArea, User
from trial.selectors import TrialStatus, latest_verification, trial_by_code
from trial.services import ArmSpec, chain_verify, trial_create, trial_transition

if TYPE_CHECKING:
    from trial.models import ChainVerification, Trial

DEMO_TRIAL_CODE = "CARA-HANTS"
TITLES = {
    "CARA-HANTS": "CARA in Hampshire: conditional cautions with workshops for domestic abuse",
    "CARA-WMP": "CARA in the West Midlands: conditional cautions with workshops",
}
SET_UP_WEEKS = 3  # the trial manager set the trial up this long before its first case


def demo_trial_load(
    *,
    areas: list[PoliceArea],
    manager: User,
    code: str = DEMO_TRIAL_CODE,
    recruitment_from: datetime.date | None = None,
) -> Trial:
    """Create a demo CARA trial once, stratified by its force's areas, and open recruitment.

    Its design is dated a few weeks before recruitment_from, its first possible case's day.
    """
    existing = trial_by_code(code)
    if existing is not None:
        demo_chain_verify(trial=existing, manager=manager)
        return existing
    trial = trial_create(
        code=code,
        title=TITLES.get(code, f"CARA trial {code}"),
        arms=[
            ArmSpec("cara", "CARA workshops", 1, is_intervention=True),
            ArmSpec("control", "Control", 1),
        ],
        strata_factors={"area": [area.code for area in areas]},
        block_multipliers=[1, 2, 3],
        research_email=f"{code.lower()}-research@demo.invalid",
        by=manager,
        created_at=_set_up_at(recruitment_from) if recruitment_from else None,
    )
    if trial.status == TrialStatus.SETUP:
        trial = trial_transition(trial=trial, to_status=TrialStatus.RECRUITING, by=manager)
    demo_chain_verify(trial=trial, manager=manager)
    return trial


def _set_up_at(recruitment_from: datetime.date) -> datetime.datetime:
    day = recruitment_from - datetime.timedelta(weeks=SET_UP_WEEKS)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))


def demo_chain_verify(*, trial: Trial, manager: User) -> ChainVerification:
    """Verify the chain unless its current length was already verified (the dashboard shows it).

    Call it again after the demo's cases are enrolled so the dashboard shows their rows too.
    """
    trial.refresh_from_db()
    latest = latest_verification(trial)
    if latest is not None and latest.ok and latest.rows_checked == trial.chain_length:
        return latest
    return chain_verify(trial=trial, by=manager)
