"""Trial configuration: frozen once recruiting, changed only by a new audited design version."""

from __future__ import annotations

import pytest

from common.exceptions import DomainError, NotAllowedError
from common.models import AuditEvent
from trial.models import DesignVersion, Stratum
from trial.services import (
    ArmSpec,
    chain_verify,
    trial_design_update,
    trial_settings_update,
    trial_transition,
)

from .support import CARA_ARMS, block_problems, claim, make_trial

THREE_ARMS = [ArmSpec("a", "A", 1), ArmSpec("b", "B", 1), ArmSpec("c", "C", 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arms", "sizes"),
    [
        (CARA_ARMS, [2, 4, 6]),
        ([ArmSpec("cara", "CARA", 2, True), ArmSpec("control", "Control", 1)], [3, 6, 9]),
        (THREE_ARMS, [3, 6, 9]),
    ],
)
def test_ratios_one_to_one_two_to_one_and_three_arms_randomise_in_balanced_blocks(
    arms: list[ArmSpec], sizes: list[int]
) -> None:
    trial = make_trial(arms=arms)
    assert trial.designs.get().block_sizes == sizes
    for n in range(1, 40):
        claim(trial, n, "north" if n % 4 else "south")
    assert block_problems(trial) == []


@pytest.mark.django_db
def test_going_live_draws_a_seed_and_first_blocks_for_every_stratum() -> None:
    trial = make_trial(factors={"area": ["north", "south"], "offence": ["assault", "damage"]})
    strata = Stratum.objects.filter(trial=trial)
    assert sorted(strata.values_list("key", flat=True)) == [
        "area=north|offence=assault",
        "area=north|offence=damage",
        "area=south|offence=assault",
        "area=south|offence=damage",
    ]
    assert len({s.seed for s in strata}) == 4
    assert all(len(s.seed) == 64 and s.slots.count() > 0 for s in strata)


@pytest.mark.django_db
def test_in_set_up_the_design_is_edited_in_place() -> None:
    trial = make_trial(recruiting=False)
    design = trial_design_update(
        trial=trial, arms=THREE_ARMS, block_multipliers=[2], strata_factors={}, by=None
    )
    assert design.number == 1
    assert DesignVersion.objects.filter(trial=trial).count() == 1
    assert list(trial.arms.values_list("code", flat=True)) == ["a", "b", "c"]
    assert design.block_sizes == [6]


@pytest.mark.django_db
def test_once_recruiting_a_change_is_a_new_version_with_a_reason_and_new_strata() -> None:
    trial = make_trial()
    first = claim(trial, 1)
    with pytest.raises(DomainError, match="give the reason"):
        trial_design_update(
            trial=trial,
            arms=CARA_ARMS,
            block_multipliers=[2],
            strata_factors={"area": ["north", "south"]},
            by=None,
        )
    design = trial_design_update(
        trial=trial,
        arms=CARA_ARMS,
        block_multipliers=[2],
        strata_factors={"area": ["north", "south", "west"]},
        reason="West area joins the trial",
        by=None,
    )
    assert design.number == 2
    assert DesignVersion.objects.get(trial=trial, number=1).strata_factors == {
        "area": ["north", "south"]
    }
    second = claim(trial, 2, "west")
    assert second.stratum.design == design
    assert first.stratum.design.number == 1
    assert second.slot is not None
    assert second.slot.block_size == 4
    assert AuditEvent.objects.filter(
        action="trial.design_revise", detail__reason="West area joins the trial"
    ).exists()
    assert chain_verify(trial=trial, by=None).ok


@pytest.mark.django_db
def test_arms_cannot_be_added_once_recruiting_and_nothing_changes_after_recruitment() -> None:
    trial = make_trial()
    with pytest.raises(NotAllowedError, match="cannot be added or removed"):
        trial_design_update(
            trial=trial,
            arms=THREE_ARMS,
            block_multipliers=[1],
            strata_factors={},
            reason="x",
            by=None,
        )
    trial = trial_transition(trial=trial, to_status="recruitment_closed", by=None)
    with pytest.raises(NotAllowedError, match="can no longer change"):
        trial_design_update(
            trial=trial,
            arms=CARA_ARMS,
            block_multipliers=[1],
            strata_factors={},
            reason="x",
            by=None,
        )
    with pytest.raises(NotAllowedError, match="cannot move to recruiting"):
        trial_transition(trial=trial, to_status="recruiting", by=None)


@pytest.mark.django_db
def test_settings_that_do_not_affect_allocation_change_at_any_time_and_are_audited() -> None:
    trial = make_trial()
    trial = trial_settings_update(
        trial=trial,
        values={"research_email": "r@uni.example", "follow_up_months": [24, 6]},
        by=None,
    )
    assert trial.follow_up_months == [6, 24]
    event = AuditEvent.objects.get(action="trial.settings_update")
    assert sorted(event.detail["fields"]) == ["follow_up_months", "research_email"]
    with pytest.raises(DomainError, match="between its minimum and maximum"):
        trial_settings_update(trial=trial, values={"workshop_gap_days": 60}, by=None)
