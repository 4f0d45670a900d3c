"""An installation of one trial upgrades to memberships with every user's access unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from common.memberships import trial_ids_where
from common.models import Membership, User
from common.roles import Role, roles_of
from tests.support.roles import roles_restore
from trial.models import Trial
from workshops.models import Delivery

BEFORE = [
    ("common", "0007_audit_pages"),
    ("trial", "0011_retention"),
    ("workshops", "0004_attendance_corrections"),
]

HAMPSHIRE = "Hampshire Constabulary"
# username -> (groups held before, area code, provider name)
PEOPLE = {
    "olivia": (["Case officer"], "southampton", None),
    "colin": (["Counsellor"], None, "Hampton Trust"),
    "rachel": (["Researcher"], None, None),
    "mandy": (["Trial manager"], None, None),
    "dev": (["Data manager", "Researcher"], None, None),
    "dara": (["Data protection officer"], None, None),
    "nobody": ([], None, None),
}


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_installation(apps: Any) -> dict[str, set[tuple[str, str]]]:
    """Build a one-trial installation as it was; return each user's permissions then."""
    area_model = apps.get_model("common", "PoliceArea")
    areas = {
        code: area_model.objects.create(
            code=code, name=code.title(), force="Hampshire Constabulary"
        )
        for code in ("southampton", "portsmouth")
    }
    provider = apps.get_model("common", "Provider").objects.create(name="Hampton Trust")
    apps.get_model("trial", "Trial").objects.create(code="CARA", title="CARA", status="recruiting")
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    before = {}
    for username, (groups, area, provider_name) in PEOPLE.items():
        user = apps.get_model("common", "User").objects.create(
            username=username,
            police_area=areas.get(area or ""),
            provider=provider if provider_name else None,
        )
        user.groups.set(group_model.objects.filter(name__in=groups))
        perms = permission_model.objects.filter(group__user=user)
        before[username] = set(perms.values_list("content_type__app_label", "codename"))
    return before


def _permissions(user: User) -> set[tuple[str, str]]:
    """The user's permissions, less those on what did not exist before (organisations)."""
    held = {tuple(p.split(".", 1)) for p in user.get_all_permissions()}
    return {p for p in held if not p[1].endswith(("_organisation", "_membership"))}  # type: ignore[misc]


@pytest.mark.django_db(transaction=True)
def test_every_user_keeps_exactly_the_access_they_had_in_the_one_trial() -> None:
    roles_restore()  # an earlier transactional test may have flushed the groups
    before = _old_installation(_migrate(BEFORE))
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    trial_id = Trial.objects.get(code="CARA").pk
    for username, (groups, _area, _provider) in PEOPLE.items():
        user = User.objects.get(username=username)
        assert _permissions(user) == before[username], username
        assert {r.value for r in roles_of(user)} == set(groups), username
        trial_roles = [Role(g) for g in groups if g != "Data protection officer"]
        if trial_roles:
            assert trial_ids_where(user, *trial_roles) == {trial_id}, username
        assert list(user.groups.all()) == [], "memberships, not groups, grant the roles now"
    dara = Membership.objects.get(user__username="dara")
    assert (dara.trial_id, dara.role) == (None, "Data protection officer")

    # Forces and providers became organisations; people belong to theirs.
    olivia, colin = User.objects.get(username="olivia"), User.objects.get(username="colin")
    assert olivia.police_area is not None
    assert olivia.organisation == olivia.police_area.force
    assert olivia.police_area.force.name == "Hampshire Constabulary"
    assert colin.provider is not None
    assert colin.organisation == colin.provider.organisation
    # The one provider runs every area's workshops, so its counsellors queue the men they did.
    deliveries = Delivery.objects.filter(trial_id=trial_id)
    assert sorted(d.police_area.code for d in deliveries) == ["portsmouth", "southampton"]
    assert {d.provider.name for d in deliveries} == {"Hampton Trust"}
