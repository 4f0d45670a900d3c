"""Demo organisations (two forces, two providers, a university) and the demo users.

Two trials share the installation: CARA-HANTS (Hampshire, recruiting for two and a half years)
and CARA-WMP (West Midlands, recruiting for a few months). Each person holds their roles in the
trials they work in, so signing in as each shows what that membership opens and nothing else.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from common.models import Organisation, PoliceArea, Provider, User
from common.roles import Role
from common.selectors import organisations
from common.services import (
    membership_grant,
    organisation_save,
    police_area_save,
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

HANTS, WMP = "CARA-HANTS", "CARA-WMP"
HAMPSHIRE, WEST_MIDLANDS = "Hampshire Constabulary", "West Midlands Police"
FORCES = {
    HAMPSHIRE: [
        ("southampton", "Southampton"),
        ("portsmouth", "Portsmouth"),
        ("basingstoke", "Basingstoke"),
        ("isle-of-wight", "Isle of Wight"),
    ],
    WEST_MIDLANDS: [("birmingham", "Birmingham"), ("coventry", "Coventry")],
}
PROVIDER = "Hampton Trust"
WMP_PROVIDER = "Midlands Change Trust"
UNIVERSITY = "University of Cambridge"
# The provider that runs each force's workshops in its trial.
PROVIDER_OF = {HANTS: PROVIDER, WMP: WMP_PROVIDER}


@dataclass(frozen=True)
class DemoUser:
    username: str
    first: str
    last: str
    organisation: str
    roles: tuple[tuple[str | None, Role], ...]  # (trial code, role); None: the installation
    area: str = ""
    provider: str = ""


DEMO_USERS = [
    DemoUser("officer", "Olivia", "Bennett", HAMPSHIRE, ((HANTS, Role.OFFICER),), "southampton"),
    DemoUser(
        "counsellor",
        "Colin",
        "Hayes",
        PROVIDER,
        ((HANTS, Role.COUNSELLOR),),
        provider=PROVIDER,
    ),
    DemoUser(
        "researcher",
        "Rachel",
        "Okafor",
        UNIVERSITY,
        ((HANTS, Role.RESEARCHER), (WMP, Role.RESEARCHER)),
    ),
    DemoUser("manager", "Amanda", "Fraser", HAMPSHIRE, ((HANTS, Role.TRIAL_MANAGER),)),
    DemoUser("datamanager", "Priya", "Shah", HAMPSHIRE, ((HANTS, Role.DATA_MANAGER),)),
    DemoUser(
        "coordinator",
        "Nadia",
        "Rahman",
        UNIVERSITY,
        ((HANTS, Role.NATIONAL_COORDINATOR), (WMP, Role.NATIONAL_COORDINATOR)),
    ),
    DemoUser("dpo", "Dara", "Quinn", HAMPSHIRE, ((None, Role.DATA_PROTECTION_OFFICER),)),
    # Reads the automatic interim reports (blinded); unblinds one only with a recorded reason.
    DemoUser("dmc", "Moira", "Castell", UNIVERSITY, ((HANTS, Role.DATA_MONITORING_COMMITTEE),)),
    DemoUser("wmp-officer", "Wesley", "Grant", WEST_MIDLANDS, ((WMP, Role.OFFICER),), "birmingham"),
    DemoUser(
        "wmp-counsellor",
        "Mina",
        "Kaur",
        WMP_PROVIDER,
        ((WMP, Role.COUNSELLOR),),
        provider=WMP_PROVIDER,
    ),
    DemoUser(
        "wmp-manager",
        "William",
        "Adeyemi",
        WEST_MIDLANDS,
        ((WMP, Role.TRIAL_MANAGER), (WMP, Role.DATA_MANAGER)),
    ),
]

# The demo user whose sign-in shows the second factor (the others may set one up themselves on
# their Sign-in security page; outside demo mode every role must).
TWO_FACTOR_USER = "manager"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: str  # e.g. "Researcher (CARA-HANTS, CARA-WMP)"
    password: str
    authenticator_key: str = ""  # base32, for an authenticator app (or `manage.py signin_code`)
    landing: Role | None = None


@dataclass(frozen=True)
class DemoOrganisations:
    areas: dict[str, list[PoliceArea]]  # force name -> its areas
    providers: dict[str, Provider]


def _organisation(name: str, kind: str) -> Organisation:
    found = organisations(kind).filter(name=name).first()
    return found or organisation_save(name=name, kind=kind, by=None)


def demo_organisations_load() -> DemoOrganisations:
    """Create the forces with their areas, the providers and the university (idempotent)."""
    areas: dict[str, list[PoliceArea]] = {}
    for force_name, force_areas in FORCES.items():
        force = _organisation(force_name, Organisation.Kind.FORCE)
        areas[force_name] = []
        for code, name in force_areas:
            area = PoliceArea.objects.filter(code=code).first()
            if area is None or (area.name, area.force_id) != (name, force.pk):
                area = police_area_save(code=code, name=name, force=force, area=area, by=None)
            areas[force_name].append(area)
    providers = {}
    for name in (PROVIDER, WMP_PROVIDER):
        organisation = _organisation(name, Organisation.Kind.PROVIDER)
        providers[name] = Provider.objects.get(organisation=organisation)
    _organisation(UNIVERSITY, Organisation.Kind.UNIVERSITY)
    return DemoOrganisations(areas=areas, providers=providers)


def _describe(person: DemoUser) -> str:
    by_role: dict[Role, list[str]] = {}
    for code, role in person.roles:
        by_role.setdefault(role, []).append(code or "every trial")
    return "; ".join(f"{role.value} ({', '.join(codes)})" for role, codes in by_role.items())


def demo_users_load() -> list[DemoLogin]:
    """Create or refresh the demo users, each with a new random password.

    Through the same services as the People pages: the invitation each new user gets is
    cancelled by the outbox once the loader has set the password it prints. Their roles in
    the trials are granted once the trials exist (demo_memberships_load).
    """
    logins = []
    for person in DEMO_USERS:
        area = PoliceArea.objects.get(code=person.area) if person.area else None
        provider = Provider.objects.get(name=person.provider) if person.provider else None
        organisation = organisations().get(name=person.organisation)
        user = User.objects.filter(username=person.username).first()
        installation = [role for code, role in person.roles if code is None]
        if user is None:
            user = user_invite(
                username=person.username,
                email=f"{person.username}@demo.invalid",
                first_name=person.first,
                last_name=person.last,
                roles=installation,
                organisation=organisation,
                police_area=area,
                provider=provider,
                by=None,
            )
        else:
            user_organisation_set(
                user=user, organisation=organisation, police_area=area, provider=provider, by=None
            )
            user_active_set(user=user, active=True, by=None)
        password = secrets.token_urlsafe(12)
        user_password_set(user=user, password=password, via="load_demo")
        key = _demo_authenticator(user) if person.username == TWO_FACTOR_USER else ""
        landing = person.roles[0][1]
        logins.append(DemoLogin(person.username, _describe(person), password, key, landing))
    return logins


def demo_memberships_load(trial: Trial) -> None:
    """Give each demo user their roles in this trial."""
    for person in DEMO_USERS:
        user = User.objects.get(username=person.username)
        for code, role in person.roles:
            if code == trial.code:
                membership_grant(user=user, role=role, trial=trial, by=None)


def _demo_authenticator(user: User) -> str:
    """Enrol a new authenticator for a demo user, as the set-up page does; return its key."""
    if has_authenticator(user):
        second_factor_reset(user=user, by=user)  # the demo's manager resets their own demo phone
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
