"""Cases made through the real participants services: a recruiting trial, screened, enrolled."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import replace
from typing import Any

from django.utils import timezone

from common.identifiers import make_pnc
from common.models import PoliceArea, User
from participants.models import Participant
from participants.services import (
    ConsentInput,
    ScreeningInput,
    VictimInput,
    consent_record,
    participant_enrol,
    screening_record,
)
from tests.support.factories import make_trial
from trial.models import Trial

TODAY = timezone.localdate()
AGREES = ConsentInput(decision="given", decided_on=TODAY, method="telephone")
REFUSES = ConsentInput(decision="refused", decided_on=TODAY, method="telephone")


def screening_input(number: int = 1, **overrides: Any) -> ScreeningInput:
    """Return the facts of an eligible case; overrides change single facts."""
    details = ScreeningInput(
        given_name="Daniel",
        family_name="Marsh",
        date_of_birth=datetime.date(1990, 5, 17),
        sex="male",
        pnc_id=make_pnc(15, 100000 + number),
        custody_reference=f"44/{number:05d}/26",
        interpreter_needed=False,
        appropriate_adult_needed=False,
        offence_type="common_assault",
        offence_date=TODAY - datetime.timedelta(days=3),
        arrest_date=TODAY - datetime.timedelta(days=2),
        admission="admitted",
        first_domestic_offence=True,
        last_violence_on=None,
        dash_risk="standard",
        on_bail_or_order=False,
        victim_relationship="current_partner",
        caution_offered=True,
        phone="07700 900123",
        email="daniel@example.org",
        address="1 High Street, Southampton",
    )
    return replace(details, **overrides)


def victim_input(**overrides: Any) -> VictimInput:
    """Return a contacted victim who raised no risk; overrides change single details."""
    details = VictimInput(
        given_name="Sarah",
        family_name="Marsh",
        contacted=True,
        contacted_on=TODAY,
        risk_raised=False,
        phone="07700 900456",
    )
    return replace(details, **overrides)


def recruiting_trial(*areas: PoliceArea) -> Trial:
    """Create the CARA trial (workshops and control, stratified by the areas), recruiting."""
    return make_trial(title="CARA", strata_factors={"area": [area.code for area in areas]})


def screen(trial: Trial, officer: User, number: int = 1, **overrides: Any) -> Participant:
    """Screen a case in the officer's area."""
    assert officer.police_area is not None
    return screening_record(
        trial=trial,
        police_area=officer.police_area,
        details=screening_input(number, **overrides),
        token=uuid.uuid4(),
        by=officer,
    )


def consented(
    trial: Trial,
    officer: User,
    number: int = 1,
    *,
    victim: VictimInput | None = None,
    **overrides: Any,
) -> Participant:
    """Screen a case and record that the victim agrees."""
    case = screen(trial, officer, number, **overrides)
    return consent_record(
        participant=case,
        victim=victim or victim_input(),
        consent=AGREES,
        token=uuid.uuid4(),
        by=officer,
    )


def enrolled(
    trial: Trial,
    officer: User,
    number: int = 1,
    *,
    victim: VictimInput | None = None,
    **overrides: Any,
) -> Participant:
    """Screen, consent and enrol (randomise) a case, cautioned today."""
    case = consented(trial, officer, number, victim=victim, **overrides)
    return participant_enrol(
        participant=case, caution_given_on=TODAY, token=uuid.uuid4(), by=officer
    )
