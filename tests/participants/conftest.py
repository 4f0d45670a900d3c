"""Fixtures of the participants tests: a recruiting trial over two areas, officers, cases."""

from __future__ import annotations

import datetime
import importlib
import uuid
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from common.identifiers import make_pnc
from common.models import PoliceArea, User
from common.roles import Role
from participants.models import Participant
from participants.services import (
    ConsentInput,
    ScreeningInput,
    VictimInput,
    consent_record,
    participant_enrol,
    screening_record,
)
from tests.support.factories import make_user
from trial.models import Trial
from trial.services import ArmSpec, trial_create, trial_transition

TODAY = timezone.localdate()


def base_input(number: int = 1, **overrides: Any) -> ScreeningInput:
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


AGREES = ConsentInput(decision="given", decided_on=TODAY, method="telephone")
REFUSES = ConsentInput(decision="refused", decided_on=TODAY, method="telephone")


def victim_input(**overrides: Any) -> VictimInput:
    details = VictimInput(
        given_name="Sarah",
        family_name="Marsh",
        contacted=True,
        contacted_on=TODAY,
        risk_raised=False,
        phone="07700 900456",
    )
    return replace(details, **overrides)


def restore_roles() -> None:
    """Recreate the role groups and grants (a transactional test's flush empties auth_group)."""
    grants: dict[str, list[str]] = {}
    for module in ("common.migrations.0002_roles", "participants.migrations.0002_grants"):
        for group, perms in importlib.import_module(module).GRANTS.items():
            grants.setdefault(group, []).extend(perms)
    for name, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


@pytest.fixture
def committed(transactional_db: None) -> None:
    """For tests whose data must really commit (threads, a live server)."""
    restore_roles()


@pytest.fixture
def area(db: None) -> PoliceArea:
    return PoliceArea.objects.create(code="southampton", name="Southampton", force="Hampshire")


@pytest.fixture
def other_area(db: None) -> PoliceArea:
    return PoliceArea.objects.create(code="portsmouth", name="Portsmouth", force="Hampshire")


@pytest.fixture
def trial(area: PoliceArea, other_area: PoliceArea) -> Trial:
    created = trial_create(
        code="CARA",
        title="CARA",
        by=None,
        arms=[ArmSpec("cara", "CARA workshops", 1, True), ArmSpec("control", "Control")],
        strata_factors={"area": [area.code, other_area.code]},
    )
    return trial_transition(trial=created, to_status="recruiting", by=None)


@pytest.fixture
def officer(area: PoliceArea) -> User:
    return make_user(Role.OFFICER, police_area=area)


@pytest.fixture
def other_officer(other_area: PoliceArea) -> User:
    return make_user(Role.OFFICER, police_area=other_area)


def screen(trial: Trial, officer: User, number: int = 1, **overrides: Any) -> Participant:
    assert officer.police_area is not None
    return screening_record(
        trial=trial,
        police_area=officer.police_area,
        details=base_input(number, **overrides),
        token=uuid.uuid4(),
        by=officer,
    )


def consented(trial: Trial, officer: User, number: int = 1, **overrides: Any) -> Participant:
    case = screen(trial, officer, number, **overrides)
    return consent_record(
        participant=case, victim=victim_input(), consent=AGREES, token=uuid.uuid4(), by=officer
    )


def enrolled(trial: Trial, officer: User, number: int = 1, **overrides: Any) -> Participant:
    case = consented(trial, officer, number, **overrides)
    return participant_enrol(
        participant=case, caution_given_on=TODAY, token=uuid.uuid4(), by=officer
    )
