"""The allocation service's core promises (the fuller suite grows with the randomisation issue)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from common.exceptions import ConflictError, DomainError, NotAllowedError
from tests.support import factories
from trial.models import Allocation, IrreversibleError, Trial
from trial.services import allocation_claim


def make_trial(code: str = "CARA", status_recruiting: bool = True) -> Trial:
    return factories.make_trial(code, title="CARA", recruiting=status_recruiting)


@pytest.mark.smoke
@pytest.mark.django_db
def test_each_block_is_balanced_and_the_chain_advances() -> None:
    trial = make_trial()
    arms = [
        allocation_claim(
            trial=trial,
            participant_key=f"CARA-{i:04d}",
            person_key=f"p{i}",
            strata={"area": "north"},
            by=None,
        ).arm.code
        for i in range(1, 41)
    ]
    north = trial.strata.get(key="area=north")
    assert (north.chain_length, north.next_position) == (40, 41)
    assert trial.chain_length == 40
    slots = [a.slot for a in Allocation.objects.filter(trial=trial) if a.slot is not None]
    # Whole blocks contain each arm equally often.
    done = 0
    for slot in slots:
        if slot.position - done == slot.block_size:
            block = arms[done : slot.position]
            assert block.count("cara") == block.count("control")
            done = slot.position
    assert done > 0


@pytest.mark.django_db
def test_refusals_write_nothing() -> None:
    trial = make_trial()
    allocation_claim(
        trial=trial, participant_key="CARA-0001", person_key="p1", strata={"area": "north"}, by=None
    )
    with pytest.raises(ConflictError, match="already been randomised"):
        allocation_claim(
            trial=trial,
            participant_key="CARA-0001",
            person_key="p2",
            strata={"area": "north"},
            by=None,
        )
    with pytest.raises(ConflictError, match="This person"):
        allocation_claim(
            trial=trial,
            participant_key="CARA-0002",
            person_key="p1",
            strata={"area": "north"},
            by=None,
        )
    with pytest.raises(DomainError, match="not a known value of area"):
        allocation_claim(
            trial=trial,
            participant_key="CARA-0003",
            person_key="p3",
            strata={"area": "mars"},
            by=None,
        )
    with pytest.raises(DomainError, match="not a participant of trial CARA"):
        allocation_claim(
            trial=trial,
            participant_key="OTHER-0001",
            person_key="p4",
            strata={"area": "north"},
            by=None,
        )
    closed = make_trial("SHUT", status_recruiting=False)
    with pytest.raises(NotAllowedError, match="not recruiting"):
        allocation_claim(
            trial=closed,
            participant_key="SHUT-0001",
            person_key="p5",
            strata={"area": "north"},
            by=None,
        )
    assert Allocation.objects.count() == 1


@pytest.mark.smoke
@pytest.mark.django_db
def test_allocations_cannot_be_edited_or_deleted() -> None:
    trial = make_trial()
    allocation = allocation_claim(
        trial=trial, participant_key="CARA-0001", person_key="p1", strata={"area": "south"}, by=None
    )
    with pytest.raises(IrreversibleError):
        Allocation.objects.filter(pk=allocation.pk).update(participant_key="CARA-0009")
    with pytest.raises(IrreversibleError):
        Allocation.objects.all().delete()
    with pytest.raises(IrreversibleError):
        allocation.delete()
    allocation.participant_key = "CARA-0009"
    with pytest.raises(DatabaseError, match="irreversible"), transaction.atomic():
        allocation.save()
