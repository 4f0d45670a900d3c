"""The demo CARA trial: arms, design stratified by police area, recruiting."""

from __future__ import annotations

from common.models import PoliceArea, User
from trial.models import Trial, TrialStatus
from trial.services import ArmSpec, trial_create, trial_transition

DEMO_TRIAL_CODE = "CARA"


def demo_trial_load(*, areas: list[PoliceArea], manager: User) -> Trial:
    """Create the demo CARA trial once and open it for recruitment."""
    existing = Trial.objects.filter(code=DEMO_TRIAL_CODE).first()
    if existing is not None:
        return existing
    trial = trial_create(
        code=DEMO_TRIAL_CODE,
        title="CARA: conditional cautions with workshops for first-time domestic abuse",
        arms=[
            ArmSpec("cara", "CARA workshops", 1, is_intervention=True),
            ArmSpec("control", "Control", 1),
        ],
        strata_factors={"area": [area.code for area in areas]},
        block_multipliers=[1, 2, 3],
        research_email="cara-research@demo.invalid",
        by=manager,
    )
    if trial.status == TrialStatus.SETUP:
        trial = trial_transition(trial=trial, to_status=TrialStatus.RECRUITING, by=manager)
    return trial
