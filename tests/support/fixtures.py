"""Fixtures of a recruiting CARA trial over two areas with an officer in each.

Imported by name into the conftests that use them (participants, workshops).
"""

from __future__ import annotations

import pytest

from common.models import PoliceArea, User
from common.roles import Role
from tests.support.cases import recruiting_trial
from tests.support.factories import make_user, police_area
from trial.models import Trial


@pytest.fixture
def area(db: None) -> PoliceArea:
    return police_area("southampton", "Southampton", "Hampshire")


@pytest.fixture
def other_area(db: None) -> PoliceArea:
    return police_area("portsmouth", "Portsmouth", "Hampshire")


@pytest.fixture
def trial(area: PoliceArea, other_area: PoliceArea) -> Trial:
    return recruiting_trial(area, other_area)


@pytest.fixture
def officer(area: PoliceArea) -> User:
    return make_user(Role.OFFICER, police_area=area, email="olivia@police.example")


@pytest.fixture
def other_officer(other_area: PoliceArea) -> User:
    return make_user(Role.OFFICER, police_area=other_area, email="otto@police.example")
