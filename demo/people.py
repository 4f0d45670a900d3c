"""Demo organisations and one demo user per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group

from common.models import PoliceArea, Provider, User
from common.roles import Role

FORCE = "Hampshire Constabulary"
AREAS = [
    ("southampton", "Southampton"),
    ("portsmouth", "Portsmouth"),
    ("basingstoke", "Basingstoke"),
    ("isle-of-wight", "Isle of Wight"),
]
PROVIDER = "Hampton Trust"

# username, role, first name, last name, area code (officers), provider (counsellors)
DEMO_USERS = [
    ("officer", Role.OFFICER, "Olivia", "Officer", "southampton", None),
    ("counsellor", Role.COUNSELLOR, "Colin", "Counsellor", None, PROVIDER),
    ("researcher", Role.RESEARCHER, "Rachel", "Researcher", None, None),
    ("manager", Role.TRIAL_MANAGER, "Mandy", "Manager", None, None),
    ("datamanager", Role.DATA_MANAGER, "Dev", "Datamanager", None, None),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    password: str


def demo_organisations_load() -> tuple[list[PoliceArea], Provider]:
    """Create the demo force's areas and the workshop provider (idempotent)."""
    areas = [
        PoliceArea.objects.update_or_create(code=code, defaults={"name": name, "force": FORCE})[0]
        for code, name in AREAS
    ]
    provider, _ = Provider.objects.get_or_create(name=PROVIDER)
    return areas, provider


def demo_users_load() -> list[DemoLogin]:
    """Create or refresh one user per role, each with a new random password."""
    logins = []
    for username, role, first, last, area_code, provider_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.invalid"
        user.police_area = PoliceArea.objects.get(code=area_code) if area_code else None
        user.provider = Provider.objects.get(name=provider_name) if provider_name else None
        user.is_staff = role is Role.TRIAL_MANAGER
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        logins.append(DemoLogin(username, role, password))
    return logins


def area_officer(area: PoliceArea, fallback: User) -> User:
    """Return the area's first case officer (the demo's actor for its cases), else the fallback."""
    officer = (
        User.objects.filter(police_area=area, groups__name=Role.OFFICER.value)
        .order_by("pk")
        .first()
    )
    return officer or fallback
