"""Two forces, two trials, cases made through the real services; what each case is, kept aside.

Hampshire Constabulary (Southampton, Basingstoke) and West Midlands Police (Birmingham) take
part in OVS-A; Southampton and Birmingham in OVS-B. Every case has its own name, PNC ID and
phone so a test can look for each of them in a page. The tests count their expectations from
the `Made` list, never from the oversight selectors.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from common.identifiers import make_pnc
from common.models import PoliceArea, User
from common.roles import Role
from outcomes.services import snapshots_freeze
from participants.models import Participant
from participants.services import ConsentInput, consent_record, participant_enrol, screening_record
from tests.support.cases import TODAY, screening_input, victim_input
from tests.support.factories import grant, make_trial, make_user, police_area
from trial.models import Trial
from workshops.models import Cycle
from workshops.services import (
    CyclePlan,
    attendance_record,
    booking_create,
    cycle_create,
    delivery_set,
)

LONDON = ZoneInfo("Europe/London")
HANTS, WMP = "Hampshire Constabulary", "West Midlands Police"
_numbers = itertools.count(1)


@dataclass
class Made:
    """A case and what the test knows of it."""

    case: Participant
    force: str
    secrets: list[str]  # name, family name, PNC ID and phone: must never reach the pages
    part_1: bool = False
    part_2: bool = False


@dataclass
class World:
    trial_a: Trial
    trial_b: Trial
    areas: dict[str, PoliceArea]
    officers: dict[tuple[str, str], User]  # (trial code, area code) -> officer
    counsellor: User
    made: list[Made] = field(default_factory=list)

    def cases(self, trial: Trial, force: str | None = None) -> list[Made]:
        return [m for m in self.made if m.case.trial_id == trial.pk and force in (None, m.force)]


def _details(number: int, days_ago: int, **overrides: object) -> dict[str, object]:
    offence = TODAY - datetime.timedelta(days=days_ago + 3)
    return {
        "given_name": f"Given{number}x",
        "family_name": f"Family{number}x",
        "pnc_id": make_pnc(16, 300000 + number),
        "phone": f"07700 91{number:04d}",
        "offence_date": offence,
        "arrest_date": offence + datetime.timedelta(days=1),
        **overrides,
    }


def case(
    world: World,
    trial: Trial,
    area: str,
    *,
    enrol: bool = False,
    consent: bool = False,
    days_ago: int = 0,
    **overrides: object,
) -> Made:
    """Screen a case (screened `days_ago`), and record consent and enrol it if asked."""
    number = next(_numbers)
    details = screening_input(number, **_details(number, days_ago, **overrides))
    officer = world.officers[(trial.code, area)]
    on = TODAY - datetime.timedelta(days=days_ago)
    at = timezone.now() - datetime.timedelta(days=days_ago)
    participant = screening_record(
        trial=trial,
        police_area=world.areas[area],
        details=details,
        token=uuid.uuid4(),
        by=officer,
        screened_at=at,
    )
    if consent or enrol:
        participant = consent_record(
            participant=participant,
            victim=victim_input(contacted_on=on, given_name=f"Victim{number}x"),
            consent=ConsentInput(decision="given", decided_on=on, method="telephone"),
            token=uuid.uuid4(),
            by=officer,
        )
    if enrol:
        participant = participant_enrol(
            participant=participant,
            caution_given_on=on,
            token=uuid.uuid4(),
            by=officer,
            randomised_on=on if days_ago else None,
        )
    known = [details.given_name, details.family_name, details.pnc_id, details.phone]
    secrets = [secret for secret in known if secret]
    made = Made(participant, world.areas[area].force.name, secrets)
    world.made.append(made)
    return made


def in_arm(world: World, trial: Trial, area: str, intervention: bool) -> Made:
    """Enrol cases until one lands in the arm wanted (every one made is kept in the world)."""
    for _ in range(40):
        made = case(world, trial, area, enrol=True)
        assert made.case.allocation is not None
        if made.case.allocation.arm.is_intervention == intervention:
            return made
    raise AssertionError("randomisation never gave the arm")


def past_cycle(world: World, trial: Trial, days_ago: int) -> Cycle:
    """A cycle whose part 1 was `days_ago` and part 2 21 days later."""
    start = datetime.datetime.combine(
        TODAY - datetime.timedelta(days=days_ago), datetime.time(10), tzinfo=LONDON
    )
    plan = CyclePlan(
        part_1_starts_at=start,
        venue="Trust hall",
        leads=[world.counsellor],
        gap_days=21,
        hours=Decimal(5),
    )
    return cycle_create(trial=trial, plan=plan, by=world.counsellor)


def attend(world: World, made: Made, cycle: Cycle, parts: int, *, late_days: int = 0) -> None:
    """Book a man into a past cycle and record him attending its first `parts` parts."""
    sessions = list(cycle.sessions.order_by("part"))
    bookings = booking_create(
        participant=made.case,
        cycle=cycle,
        by=world.counsellor,
        at=sessions[0].starts_at - datetime.timedelta(days=2),
    )
    for booking in bookings[:parts]:
        session = booking.session
        attendance_record(
            booking=booking,
            attendance="attended",
            by=world.counsellor,
            at=session.ends_at + datetime.timedelta(days=late_days, minutes=5),
        )
    made.part_1, made.part_2 = True, parts == 2


def build() -> World:
    """Make both trials' areas, officers and a counsellor (no cases yet)."""
    areas = {
        "ovs-soton": police_area("ovs-soton", "Southampton", HANTS),
        "ovs-basing": police_area("ovs-basing", "Basingstoke", HANTS),
        "ovs-bham": police_area("ovs-bham", "Birmingham", WMP),
    }
    trial_a = make_trial("OVS-A", strata_factors={"area": list(areas)})
    trial_b = make_trial("OVS-B", strata_factors={"area": ["ovs-soton", "ovs-bham"]})
    officers = {}
    for code, area in areas.items():
        officer = make_user(Role.OFFICER, trial=trial_a, police_area=area)
        officers[("OVS-A", code)] = officer
        if code != "ovs-basing":
            grant(officer, Role.OFFICER, trial_b)
            officers[("OVS-B", code)] = officer
    counsellor = make_user(Role.COUNSELLOR, trial=trial_a)
    assert counsellor.provider is not None
    for area in areas.values():  # the counsellor's provider runs trial A's workshops
        delivery_set(trial=trial_a, police_area=area, provider=counsellor.provider, by=None)
    return World(trial_a, trial_b, areas, officers, counsellor)


def populate(world: World) -> World:
    """Cases of every kind in both trials and forces, some workshops, one frozen window."""
    a, b = world.trial_a, world.trial_b
    # Randomised 400 days ago: their 12-month windows have closed. Birmingham's is frozen,
    # Southampton's (made after the freeze) is due and not frozen.
    case(world, a, "ovs-bham", enrol=True, days_ago=400)
    snapshots_freeze(trial=a, today=TODAY, by=None)
    case(world, a, "ovs-soton", enrol=True, days_ago=400)
    # Hampshire in trial A: workshop men (one completed, one part 1 only), others.
    completer = in_arm(world, a, "ovs-soton", intervention=True)
    halfway = in_arm(world, a, "ovs-basing", intervention=True)
    in_arm(world, a, "ovs-soton", intervention=False)
    case(world, a, "ovs-soton", dash_risk="high")  # ineligible
    case(world, a, "ovs-basing", consent=True)  # consented, not enrolled
    case(world, a, "ovs-soton")  # screened, awaiting consent
    # West Midlands in trial A.
    wmp_man = in_arm(world, a, "ovs-bham", intervention=True)
    case(world, a, "ovs-bham", dash_risk="high")
    case(world, a, "ovs-bham")
    cycle = past_cycle(world, a, days_ago=30)
    attend(world, completer, cycle, 2)
    attend(world, halfway, cycle, 1)
    attend(world, wmp_man, cycle, 1)
    # Trial B: one randomised in Southampton, one screened in Birmingham.
    case(world, b, "ovs-soton", enrol=True)
    case(world, b, "ovs-bham")
    return world
