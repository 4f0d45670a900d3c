"""The national coordinator's page: both forces side by side, right counts, no personal data."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from common.roles import Role
from tests.oversight.world import HANTS, WMP, World, build, populate
from tests.support.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/oversight/"


@pytest.fixture
def world(db: None) -> World:
    return populate(build())


def row(page: str, testid: str) -> dict[str, int]:
    """Return the figures of one table row, by its data-figure names."""
    found = re.search(rf'data-testid="{re.escape(testid)}"(.*?)</tr>', page, re.S)
    assert found, f"no row {testid}"
    return {k: int(v) for k, v in re.findall(r'data-figure="(\w+)">(\d+)<', found.group(1))}


def force_pk(world: World, force: str) -> int:
    return next(a.force_id for a in world.areas.values() if a.force.name == force)


def coordinator_page(client: Client, world: World, **trials: Any) -> str:
    coordinator = make_user(Role.NATIONAL_COORDINATOR, **trials)
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_the_url_is_the_coordinators_landing_page() -> None:
    assert reverse("oversight:national") == URL


def test_both_forces_of_both_trials_are_side_by_side_with_their_counts(
    client: Client, world: World
) -> None:
    page = coordinator_page(client, world)
    for trial in (world.trial_a, world.trial_b):
        for force in (HANTS, WMP):
            made = world.cases(trial, force)
            assert row(page, f"recruitment-{trial.code}-{force_pk(world, force)}") == {
                "screened": len(made),
                "eligible": sum(m.case.eligible for m in made),
                "randomised": sum(m.case.allocation_id is not None for m in made),
            }
        assert row(page, f"recruitment-{trial.code}-all")["screened"] == len(world.cases(trial))
    assert page.index(f"recruitment-OVS-A-{force_pk(world, HANTS)}") < page.index(
        f"recruitment-OVS-A-{force_pk(world, WMP)}"
    )


def test_allocation_balance_counts_each_forces_arms(client: Client, world: World) -> None:
    page = coordinator_page(client, world)
    trial = world.trial_a
    arms = ["CARA workshops", "Control"]
    for force in (HANTS, WMP):
        counted = Counter(
            m.case.allocation.arm.name for m in world.cases(trial, force) if m.case.allocation
        )
        figures = row(page, f"balance-{trial.code}-{force_pk(world, force)}")
        assert figures == {
            "arm1": counted[arms[0]],
            "arm2": counted[arms[1]],
            "total": sum(counted.values()),
        }


def test_workshop_completion_counts_the_men_who_attended(client: Client, world: World) -> None:
    page = coordinator_page(client, world)
    for force in (HANTS, WMP):
        made = world.cases(world.trial_a, force)
        arm = [m for m in made if m.case.allocation and m.case.allocation.arm.is_intervention]
        assert row(page, f"workshops-OVS-A-{force_pk(world, force)}") == {
            "intervention": len(arm),
            "part_1": sum(m.part_1 for m in arm),
            "part_2": sum(m.part_2 for m in arm),
            "completed": sum(m.part_1 and m.part_2 for m in arm),
        }
    assert row(page, f"workshops-OVS-A-{force_pk(world, HANTS)}")["completed"] == 1


def test_follow_up_compares_windows_due_with_frozen_snapshots(client: Client, world: World) -> None:
    page = coordinator_page(client, world)
    # One man per force was randomised 400 days ago; only Birmingham's window was frozen.
    assert row(page, f"follow-up-OVS-A-{force_pk(world, WMP)}-12") == {"due": 1, "frozen": 1}
    assert row(page, f"follow-up-OVS-A-{force_pk(world, HANTS)}-12") == {"due": 1, "frozen": 0}
    assert row(page, f"follow-up-OVS-A-{force_pk(world, HANTS)}-24") == {"due": 0, "frozen": 0}
    assert row(page, "follow-up-OVS-A-all-12") == {"due": 2, "frozen": 1}


def test_the_page_draws_svg_charts_and_loads_nothing_from_elsewhere(
    client: Client, world: World
) -> None:
    page = coordinator_page(client, world)
    for chart in (
        "months-chart-OVS-A",
        "balance-chart-OVS-A",
        "completion-chart",
        "follow-up-chart",
    ):
        assert f'data-testid="{chart}"' in page
    assert "<script>" not in page.replace(" ", "")
    assert "http://" not in page
    assert "https://" not in page
    assert "style=" not in page.split("<main", 1)[-1]


def test_no_name_date_of_birth_phone_or_pnc_id_reaches_the_page(
    client: Client, world: World
) -> None:
    page = coordinator_page(client, world)
    secrets = [secret for m in world.made for secret in m.secrets]
    assert secrets
    for secret in secrets:
        assert secret not in page
    assert "Victim" not in page.split("<main", 1)[-1]
    assert "1990" not in page  # every test case was born in 1990
    assert "participants/cases" not in page  # no link to a case


def test_a_coordinator_of_one_trial_does_not_see_the_other(client: Client, world: World) -> None:
    page = coordinator_page(client, world, trial=world.trial_a)
    assert 'data-testid="recruitment-OVS-A-all"' in page
    assert "OVS-B" not in page


def test_a_trial_manager_sees_their_trials_only(client: Client, world: World) -> None:
    manager = make_user(Role.TRIAL_MANAGER, trial=world.trial_b)
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert 'data-testid="recruitment-OVS-B-all"' in page
    assert "OVS-A" not in page


@pytest.mark.parametrize(
    "role",
    [
        Role.OFFICER,
        Role.COUNSELLOR,
        Role.RESEARCHER,
        Role.DATA_MANAGER,
        Role.DATA_PROTECTION_OFFICER,
    ],
)
def test_other_roles_are_refused(client: Client, world: World, role: Role) -> None:
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("oversight:quality")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in (URL, reverse("oversight:quality")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_the_coordinators_menu_leads_to_both_pages(client: Client, world: World) -> None:
    page = coordinator_page(client, world)
    assert f'href="{URL}"' in page
    assert f'href="{reverse("oversight:quality")}"' in page
