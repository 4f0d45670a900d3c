"""Fixtures of the workshop tests: a recruiting trial over two areas, officers, a counsellor, men.

Men are enrolled through the participants services (screen, consent, enrol), so each one is
randomised for real; `workshop_man` and `control_man` enrol cases until one lands in the arm.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from common.identifiers import make_pnc
from common.models import PoliceArea, Provider, User
from common.roles import Role
from participants.models import Participant
from tests.support import fixtures
from tests.support.cases import TODAY, enrolled, victim_input
from tests.support.factories import ProviderFactory, make_user
from trial.models import Trial
from workshops.models import Cycle, Session
from workshops.selectors import scheduling_queue
from workshops.services import CyclePlan, cycle_create, delivery_set

# A recruiting trial over two areas with an officer in each (tests/support/fixtures.py).
area, other_area, trial = fixtures.area, fixtures.other_area, fixtures.trial
officer, other_officer = fixtures.officer, fixtures.other_officer

LONDON = ZoneInfo("Europe/London")
_numbers = itertools.count(1)


def at_local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """Return a London wall-clock time on a day."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def enrol_case(trial: Trial, officer: User, *, given_name: str = "Daniel") -> Participant:
    """Screen, consent and enrol one eligible case in the officer's area."""
    number = next(_numbers)
    return enrolled(
        trial,
        officer,
        number,
        victim=victim_input(given_name="Victoria", family_name="Secretname", phone=""),
        given_name=given_name,
        family_name=f"Marsh{number}",
        pnc_id=make_pnc(15, 200000 + number),
        phone=f"07700 900{number:03d}",
        email=f"man{number}@example.org",
        address="1 High Street",
        support_needs="Dyslexia: read the handouts aloud",
    )


def enrol_in_arm(trial: Trial, officer: User, intervention: bool, **kwargs: str) -> Participant:
    for _ in range(40):
        case = enrol_case(trial, officer, **kwargs)
        assert case.allocation is not None
        if case.allocation.arm.is_intervention == intervention:
            return case
    raise AssertionError("randomisation never gave the arm")


@pytest.fixture
def counsellor(db: None) -> User:
    return make_user(
        Role.COUNSELLOR, provider=ProviderFactory(), first_name="Colin", email="colin@trust.example"
    )


def deliver(trial: Trial, *areas: PoliceArea, provider: str = "Hampton Trust") -> Provider:
    """Have a provider run the areas' workshops in the trial: its counsellors queue those men."""
    found: Provider = ProviderFactory.create(name=provider)
    for area in areas:
        delivery_set(trial=trial, police_area=area, provider=found, by=None)
    return found


@pytest.fixture
def delivered(trial: Trial, area: PoliceArea, other_area: PoliceArea) -> Provider:
    """Hampton Trust (the counsellor's provider) runs both areas' workshops."""
    return deliver(trial, area, other_area)


@pytest.fixture
def workshop_man(trial: Trial, officer: User, delivered: Provider) -> Callable[..., Participant]:
    """Make an enrolled man of the workshop arm (officer's area), queued for Hampton Trust."""
    return lambda **kwargs: enrol_in_arm(trial, officer, True, **kwargs)


@pytest.fixture
def control_man(trial: Trial, officer: User) -> Participant:
    return enrol_in_arm(trial, officer, False)


@pytest.fixture
def make_cycle(trial: Trial, counsellor: User) -> Callable[..., Cycle]:
    """Make a cycle whose part 1 is at 10:00 London on a day (default in a week)."""

    def make(
        day: datetime.date | None = None,
        *,
        starts_at: datetime.datetime | None = None,
        gap_days: int | None = None,
        capacity: int | None = None,
    ) -> Cycle:
        plan = CyclePlan(
            part_1_starts_at=starts_at or at_local(day or TODAY + datetime.timedelta(days=7)),
            venue="Hampton Trust, Fareham",
            leads=[counsellor],
            gap_days=gap_days,
            hours=Decimal(5),
            capacity=capacity,
        )
        return cycle_create(trial=trial, plan=plan, by=counsellor)

    return make


def part(cycle: Cycle, number: int) -> Session:
    return cycle.sessions.get(part=number)


def queue_flags(user: User) -> dict[int, bool]:
    """Return {participant id: flagged for rebooking} for the men in the scheduling queue."""
    return {row.pk: row.flagged for row in scheduling_queue(user=user)}  # type: ignore[attr-defined]
