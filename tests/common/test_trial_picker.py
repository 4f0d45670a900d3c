"""A person with roles in two trials works in one at a time, and every page names it."""

from __future__ import annotations

import pytest
from django.test import Client

from common.models import Membership, User
from common.roles import Role
from common.services import membership_revoke
from tests.support.cases import screen
from tests.support.factories import grant, make_trial, make_user, police_area
from trial.models import Trial

pytestmark = pytest.mark.django_db


def _trials() -> tuple[Trial, Trial]:
    north = police_area("north", "North")
    west = police_area("west", "West", "West Midlands Police")
    hants = make_trial("CARA-HANTS", strata_factors={"area": [north.code]})
    wmp = make_trial("CARA-WMP", strata_factors={"area": [west.code]})
    return hants, wmp


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_researcher_of_two_trials_switches_between_them_and_each_page_names_its_trial() -> None:
    hants, wmp = _trials()
    researcher = make_user(Role.RESEARCHER, trial=hants)
    grant(researcher, Role.RESEARCHER, wmp)
    client = _client(researcher)
    page = client.get("/research/").content.decode()
    assert 'data-testid="trial-picker"' in page
    assert "Trial: <strong>CARA-HANTS</strong>" in page  # the first, by code

    switched = client.post("/trial-choice", {"trial": wmp.pk})
    assert (switched.status_code, switched["Location"]) == (302, "/")
    page = client.get("/research/").content.decode()
    assert "Trial: <strong>CARA-WMP</strong>" in page
    # Remembered for the session, on every page.
    assert "Trial: <strong>CARA-WMP</strong>" in client.get("/trial/balance/").content.decode()


def test_a_trial_that_is_not_theirs_cannot_be_chosen() -> None:
    hants, wmp = _trials()
    officer = make_user(Role.OFFICER, trial=hants, police_area=police_area("north", "North"))
    client = _client(officer)
    assert client.post("/trial-choice", {"trial": wmp.pk}).status_code == 404
    assert client.post("/trial-choice", {"trial": "x"}).status_code == 404
    assert client.get("/trial-choice").status_code == 405
    page = client.get("/officer/").content.decode()
    assert "Trial: <strong>CARA-HANTS</strong>" in page
    assert 'data-testid="trial-picker"' not in page  # one trial: nothing to pick
    assert "CARA-WMP" not in page


def test_a_revoked_role_drops_its_trial_from_the_picker_at_once() -> None:
    hants, wmp = _trials()
    researcher = make_user(Role.RESEARCHER, trial=hants)
    grant(researcher, Role.RESEARCHER, wmp)
    client = _client(researcher)
    client.post("/trial-choice", {"trial": wmp.pk})
    membership_revoke(user=researcher, role=Role.RESEARCHER, trial=wmp, by=None)
    page = client.get("/research/").content.decode()
    assert "Trial: <strong>CARA-HANTS</strong>" in page
    assert "CARA-WMP" not in page


def test_opening_a_case_of_the_other_trial_makes_it_the_current_one() -> None:
    hants, wmp = _trials()
    north, west = police_area("north", "North"), police_area("west", "West")
    officer = make_user(Role.OFFICER, trial=hants, police_area=north)
    manager = make_user(Role.TRIAL_MANAGER, trial=wmp)
    case = screen(hants, officer)
    grant(manager, Role.TRIAL_MANAGER, hants)
    client = _client(manager)
    client.post("/trial-choice", {"trial": wmp.pk})
    assert "Trial: <strong>CARA-WMP</strong>" in client.get("/trial/").content.decode()
    page = client.get(f"/officer/cases/{case.pk}/").content.decode()
    assert "Trial: <strong>CARA-HANTS</strong>" in page
    assert west.code  # the manager's other trial stays theirs
    assert Membership.objects.filter(user=manager).count() == 2
