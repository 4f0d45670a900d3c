"""Refusals: a clear message, and nothing written (no allocation, no cursor move, no audit)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import AuditEvent
from trial.models import Allocation, Stratum, Trial
from trial.services import allocation_claim, allocation_import

from .support import claim, make_trial


def state(trial: Trial) -> tuple[object, ...]:
    trial.refresh_from_db()
    strata = tuple(
        Stratum.objects.filter(trial=trial)
        .order_by("pk")
        .values_list("next_position", "chain_length", "chain_head")
    )
    return (
        Allocation.objects.count(),
        AuditEvent.objects.count(),
        trial.allocations_imported,
        strata,
    )


def refused(
    trial: Trial, error: type[DomainError], message: str, call: Callable[[], object]
) -> None:
    before = state(trial)
    with pytest.raises(error) as caught:
        call()
    assert caught.value.message == message
    assert state(trial) == before


@pytest.mark.smoke
@pytest.mark.django_db
def test_each_refusal_says_why_and_writes_nothing() -> None:
    trial = make_trial()
    claim(trial, 1)

    def attempt(
        key: str, person: str, strata: dict[str, str], on: Trial = trial
    ) -> Callable[[], object]:
        return lambda: allocation_claim(
            trial=on, participant_key=key, person_key=person, strata=strata, by=None
        )

    refused(
        trial,
        ConflictError,
        "CARA-0001 has already been randomised.",
        attempt("CARA-0001", "someone-else", {"area": "north"}),
    )
    refused(
        trial,
        ConflictError,
        "This person has already been randomised in this trial.",
        attempt("CARA-0002", "person-CARA-1", {"area": "north"}),
    )
    refused(
        trial,
        DomainError,
        "mars is not a known value of area for this trial.",
        attempt("CARA-0003", "p3", {"area": "mars"}),
    )
    refused(
        trial,
        DomainError,
        "The stratification factor area is missing.",
        attempt("CARA-0003", "p3", {}),
    )
    refused(
        trial,
        DomainError,
        "offence is not a stratification factor of this trial.",
        attempt("CARA-0003", "p3", {"area": "north", "offence": "theft"}),
    )
    refused(
        trial,
        DomainError,
        "OTHER-0001 is not a participant of trial CARA.",
        attempt("OTHER-0001", "p4", {"area": "north"}),
    )
    shut = make_trial("SHUT", recruiting=False)
    refused(
        shut,
        NotAllowedError,
        "Trial SHUT is set-up, not recruiting: nobody can be randomised now.",
        attempt("SHUT-0001", "p5", {"area": "north"}, on=shut),
    )


@pytest.mark.django_db
def test_a_participant_of_another_trial_is_refused_even_with_a_matching_prefix() -> None:
    cara = make_trial("CARA")
    other = make_trial("CARA2")
    claim(other, 1)
    refused(
        cara,
        DomainError,
        "CARA2-0001 is not a participant of trial CARA.",
        lambda: allocation_claim(
            trial=cara,
            participant_key="CARA2-0001",
            person_key="x",
            strata={"area": "north"},
            by=None,
        ),
    )


@pytest.mark.django_db
def test_imported_and_live_allocations_never_mix() -> None:
    live = make_trial("LIVE")
    claim(live, 1)
    refused(
        live,
        NotAllowedError,
        "Trial LIVE randomises here: imported allocations cannot be mixed into its chain.",
        lambda: allocation_import(
            trial=live,
            participant_key="LIVE-0002",
            person_key="p2",
            arm_code="cara",
            strata={"area": "north"},
            randomised_on=datetime.date(2020, 1, 1),
            by=None,
        ),
    )
    history = make_trial("HIST")
    allocation_import(
        trial=history,
        participant_key="HIST-0001",
        person_key="p1",
        arm_code="control",
        strata={"area": "south"},
        randomised_on=datetime.date(2020, 1, 1),
        by=None,
    )
    refused(
        history,
        NotAllowedError,
        "Trial HIST holds allocations imported from another system: it cannot randomise here.",
        lambda: claim(history, 2),
    )
    refused(
        history,
        DomainError,
        "placebo is not an arm of trial HIST.",
        lambda: allocation_import(
            trial=history,
            participant_key="HIST-0003",
            person_key="p3",
            arm_code="placebo",
            strata={"area": "south"},
            randomised_on=datetime.date(2020, 1, 1),
            by=None,
        ),
    )
