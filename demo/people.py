"""Demo organisations and one demo user per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from common.models import PoliceArea, Provider, User
from common.roles import Role
from common.services import (
    police_area_save,
    provider_save,
    role_grant,
    user_active_set,
    user_invite,
    user_organisation_set,
    user_password_set,
)

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
    areas = []
    for code, name in AREAS:
        area = PoliceArea.objects.filter(code=code).first()
        if area is None or (area.name, area.force) != (name, FORCE):
            area = police_area_save(code=code, name=name, force=FORCE, area=area, by=None)
        areas.append(area)
    provider = Provider.objects.filter(name=PROVIDER).first()
    return areas, provider or provider_save(name=PROVIDER, by=None)


def demo_users_load() -> list[DemoLogin]:
    """Create or refresh one user per role, each with a new random password.

    Through the same services as the People pages: the invitation each new user gets is
    cancelled by the outbox once the loader has set the password it prints.
    """
    logins = []
    for username, role, first, last, area_code, provider_name in DEMO_USERS:
        area = PoliceArea.objects.get(code=area_code) if area_code else None
        provider = Provider.objects.get(name=provider_name) if provider_name else None
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_invite(
                username=username,
                email=f"{username}@demo.invalid",
                first_name=first,
                last_name=last,
                roles=[role],
                police_area=area,
                provider=provider,
                by=None,
            )
        else:
            user_organisation_set(user=user, police_area=area, provider=provider, by=None)
            role_grant(user=user, role=role, by=None)
            user_active_set(user=user, active=True, by=None)
        password = secrets.token_urlsafe(12)
        user_password_set(user=user, password=password, via="load_demo")
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
