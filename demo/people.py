"""Demo organisations and one demo user per role."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from common.models import Organisation, PoliceArea, Provider, User
from common.roles import Role
from common.services import (
    membership_grant,
    organisation_save,
    police_area_save,
    provider_save,
    user_active_set,
    user_invite,
    user_organisation_set,
    user_password_set,
)
from signin.selectors import has_authenticator
from signin.services import (
    authenticator_confirm,
    authenticator_start,
    code_now,
    second_factor_reset,
)

if TYPE_CHECKING:
    from trial.models import Trial

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
    ("dpo", Role.DATA_PROTECTION_OFFICER, "Dara", "Protection", None, None),
]


# The demo user whose sign-in shows the second factor (the others may set one up themselves on
# their Sign-in security page; outside demo mode every role must).
TWO_FACTOR_USER = "manager"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    password: str
    authenticator_key: str = ""  # base32, for an authenticator app (or `manage.py signin_code`)


def demo_organisations_load() -> tuple[list[PoliceArea], Provider]:
    """Create the demo force's areas and the workshop provider (idempotent)."""
    areas = []
    force = Organisation.objects.filter(name=FORCE).first() or organisation_save(
        name=FORCE, kind=Organisation.Kind.FORCE, by=None
    )
    for code, name in AREAS:
        area = PoliceArea.objects.filter(code=code).first()
        if area is None or (area.name, area.force_id) != (name, force.pk):
            area = police_area_save(code=code, name=name, force=force, area=area, by=None)
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
                roles=[role] if role is Role.DATA_PROTECTION_OFFICER else [],
                police_area=area,
                provider=provider,
                by=None,
            )
        else:
            user_organisation_set(user=user, police_area=area, provider=provider, by=None)
            user_active_set(user=user, active=True, by=None)
        password = secrets.token_urlsafe(12)
        user_password_set(user=user, password=password, via="load_demo")
        key = _demo_authenticator(user) if username == TWO_FACTOR_USER else ""
        logins.append(DemoLogin(username, role, password, key))
    return logins


def demo_memberships_load(trial: Trial) -> None:
    """Give each demo user their role in the demo trial."""
    for username, role, *_ in DEMO_USERS:
        membership_grant(user=User.objects.get(username=username), role=role, trial=trial, by=None)


def _demo_authenticator(user: User) -> str:
    """Enrol a new authenticator for a demo user, as the set-up page does; return its key."""
    manager = User.objects.filter(is_superuser=False, is_staff=True).exclude(pk=user.pk).first()
    if has_authenticator(user):
        second_factor_reset(user=user, by=manager or user)
    secret = authenticator_start(user=user).secret
    # The code of the period before: the one the app shows now stays free for the first sign-in.
    authenticator_confirm(user=user, code=code_now(secret, time.time() - 30))
    return secret


def area_officer(area: PoliceArea, fallback: User) -> User:
    """Return the area's first case officer (the demo's actor for its cases), else the fallback."""
    officer = (
        User.objects.filter(police_area=area, memberships__role=Role.OFFICER.value)
        .order_by("pk")
        .first()
    )
    return officer or fallback
