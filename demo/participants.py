"""The demo's screening log: about 300 synthetic CARA cases screened, consented and randomised.

Every case goes through the real services (screening, consent, enrolment with randomisation),
with randomisation dates spread over the past 30 months so that many 12- and 24-month follow-up
windows have closed. Names are made up from short lists and addresses lie in made-up streets of
each case's area (demo/addresses.py); nothing comes from real people.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.utils import timezone

from common.identifiers import make_pnc
from common.models import PoliceArea, User
from demo.addresses import demo_address
from demo.people import area_officer
from participants.selectors import trial_case_counts
from participants.services import (
    ConsentInput,
    ScreeningInput,
    VictimInput,
    consent_record,
    participant_enrol,
    screening_record,
)

if TYPE_CHECKING:
    from trial.models import Trial

CASES = 300
SEED = 20150601  # fixed, so every demo load tells the same story
MONTHS_BACK = 30
RECENT = 6  # the newest cases wait for the victim or for enrolment, for the demo officer

# Twenty of each: the lists' lengths fix how many draws a case takes, and so the demo's story.
GIVEN = [
    "James", "Daniel", "Liam", "Ryan", "Connor", "Imran", "Thomas", "Callum", "Tomasz", "Adam",
    "Nathan", "Jordan", "Kieran", "Mohammed", "Matthew", "Craig", "Dean", "Kwame", "Mark", "Paul",
]  # fmt: skip
FAMILY = [
    "Smith", "Khan", "Taylor", "Brown", "Wilson", "Evans", "Nowak", "Wright", "Hughes", "Patel",
    "Hall", "Osei", "Harris", "Clarke", "Murphy", "Hill", "Cooper", "Ali", "Morris", "Campbell",
]  # fmt: skip
VICTIM_GIVEN = [
    "Sarah", "Emma", "Aisha", "Gemma", "Rebecca", "Hannah", "Amy", "Kelly", "Natalia", "Lucy",
]  # fmt: skip
OFFENCES = [
    ("common_assault", 55),
    ("criminal_damage", 20),
    ("harassment", 10),
    ("threatening_behaviour", 10),
    ("domestic_theft", 5),
]
# Believable reasons a case is not eligible: one change to otherwise eligible facts.
INELIGIBLE_CHANGES: list[dict[str, object]] = [
    {"dash_risk": "high"},
    {"dash_risk": "high"},
    {"first_domestic_offence": False},
    {"first_domestic_offence": False},
    {"on_bail_or_order": True},
    {"victim_relationship": "other"},
    {"admission": "not_admitted"},
    {"interpreter_needed": True},
    {"offence_type": "other"},
    {"recent_violence": True},
    {"under_18": True},
]


@dataclass(frozen=True)
class DemoCases:
    screened: int
    randomised: int


def demo_pnc_id(number: int) -> str:
    """Return the PNC ID of the demo person with this case number (stable across loads)."""
    return make_pnc(2005 + number % 15, 310000 + number * 37)


def _details(
    rng: random.Random, number: int, offence_date: datetime.date, area: PoliceArea
) -> ScreeningInput:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    age = rng.randint(19, 62)
    born = offence_date - datetime.timedelta(days=age * 365 + rng.randint(0, 360))
    offence = rng.choices([o for o, _ in OFFENCES], [w for _, w in OFFENCES])[0]
    return ScreeningInput(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex="male",
        pnc_id=demo_pnc_id(number),
        custody_reference=f"{44 + number % 4}/{10000 + number * 7}/{offence_date:%y}",
        interpreter_needed=False,
        appropriate_adult_needed=False,
        offence_type=offence,
        offence_date=offence_date,
        arrest_date=offence_date + datetime.timedelta(days=rng.choice([0, 0, 0, 1])),
        admission=rng.choice(["admitted"] * 9 + ["cps_overwhelming"]),
        first_domestic_offence=True,
        last_violence_on=None,
        dash_risk=rng.choice(["standard"] * 7 + ["medium"] * 3),
        on_bail_or_order=False,
        victim_relationship=rng.choice(["current_partner"] * 3 + ["former_partner"] * 2),
        caution_offered=True,
        phone=f"07700 9{number:05d}",
        email=f"{given.lower()}.{family.lower()}{number}@example.invalid",
        address=demo_address(number, area),
        support_needs=rng.choice([""] * 8 + ["Dyslexia: read documents aloud", "Works nights"]),
    )


def _ineligible(details: ScreeningInput, change: dict[str, object]) -> ScreeningInput:
    if change.get("recent_violence"):
        return replace(
            details, last_violence_on=details.offence_date - datetime.timedelta(days=400)
        )
    if change.get("under_18"):
        born = details.offence_date.replace(year=details.offence_date.year - 17, day=1)
        return replace(details, date_of_birth=born)
    return replace(details, **change)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Recruitment:
    """How a demo trial's screening log looks: its size, its start, whose people."""

    cases: int = CASES
    months_back: int = MONTHS_BACK
    seed: int = SEED
    first_person: int = 1  # demo people are numbered across trials: PNC IDs never repeat


def recruitment_start(plan: Recruitment) -> datetime.date:
    """Return the first day a demo trial's cases may be randomised on."""
    return timezone.localdate() - datetime.timedelta(days=plan.months_back * 30)


def demo_participants_load(
    *,
    trial: Trial,
    areas: list[PoliceArea],
    manager: User,
    cases: int = CASES,
    recruitment: Recruitment | None = None,
) -> DemoCases:
    """Screen, consent and randomise the demo cases once (a second load adds nothing)."""
    plan = recruitment or Recruitment(cases=cases)
    cases = plan.cases
    screened, randomised = trial_case_counts(trial=trial)
    if screened:
        return DemoCases(screened, randomised)
    rng = random.Random(plan.seed)  # noqa: S311 (synthetic data, not security)
    today = timezone.localdate()
    first_day = recruitment_start(plan)
    days = sorted(rng.randint(0, (today - first_day).days - 14) for _ in range(cases - RECENT))
    dates = [first_day + datetime.timedelta(days=d) for d in days]
    dates += [today - datetime.timedelta(days=RECENT - i) for i in range(RECENT)]
    officers = {area.pk: area_officer(area, manager) for area in areas}
    randomised = 0
    for number, day in enumerate(dates, start=1):
        recent = number > cases - RECENT
        area = areas[0] if recent else rng.choice(areas)
        offence_date = day - datetime.timedelta(days=rng.randint(1, 6))
        details = _details(rng, plan.first_person + number - 1, offence_date, area)
        if not recent and rng.random() < 0.12:
            details = _ineligible(details, rng.choice(INELIGIBLE_CHANGES))
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10 + number % 8)))
        by = officers[area.pk]
        case = screening_record(
            trial=trial,
            police_area=area,
            details=details,
            token=uuid.uuid4(),
            by=by,
            screened_at=when,
        )
        if not case.eligible or (recent and number <= cases - RECENT // 2):
            continue  # ineligible, or one of the newest still waiting for the victim
        refuses = not recent and rng.random() < 0.04
        victim = VictimInput(
            given_name=rng.choice(VICTIM_GIVEN),
            family_name=details.family_name,
            contacted=True,
            contacted_on=day,
            risk_raised=False,
            phone=f"07700 8{plan.first_person + number - 1:05d}",
        )
        decision = ConsentInput(
            decision="refused" if refuses else "given",
            decided_on=day,
            method=rng.choice(["telephone", "telephone", "in_person", "idva"]),
        )
        case = consent_record(
            participant=case, victim=victim, consent=decision, token=uuid.uuid4(), by=by
        )
        if refuses or recent:
            continue
        participant_enrol(
            participant=case, caution_given_on=day, token=uuid.uuid4(), by=by, randomised_on=day
        )
        randomised += 1
    return DemoCases(len(dates), randomised)
