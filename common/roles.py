"""The trial's roles: each is a Django group of permissions (made by migrations), held in a trial.

A user holds a role through a Membership (common.models): in one trial, or across the
installation for the data protection officer. The permissions of a role come with any
membership of it (common/backends.py); which rows it opens is decided by the selectors, from
the trials the memberships name (common/memberships.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from common.models import User


class Role(StrEnum):
    """A role is a group name; the value is what the migration creates."""

    OFFICER = "Case officer"
    COUNSELLOR = "Counsellor"
    RESEARCHER = "Researcher"
    TRIAL_MANAGER = "Trial manager"
    DATA_MANAGER = "Data manager"
    NATIONAL_COORDINATOR = "National coordinator"
    DATA_PROTECTION_OFFICER = "Data protection officer"
    DATA_MONITORING_COMMITTEE = "Data monitoring committee"

    @property
    def slug(self) -> str:
        return ROLE_SLUGS[self]

    @property
    def dashboard(self) -> str:
        """URL name of the page this role lands on after login."""
        return DASHBOARDS[self]

    @property
    def page_permission(self) -> str:
        """The permission that opens this role's pages."""
        return f"common.{PAGE_PERMISSIONS[self]}"


ROLE_SLUGS = {
    Role.OFFICER: "officer",
    Role.COUNSELLOR: "counsellor",
    Role.RESEARCHER: "researcher",
    Role.TRIAL_MANAGER: "trial_manager",
    Role.DATA_MANAGER: "data_manager",
    Role.NATIONAL_COORDINATOR: "national_coordinator",
    Role.DATA_PROTECTION_OFFICER: "data_protection_officer",
    Role.DATA_MONITORING_COMMITTEE: "dmc",
}

DASHBOARDS = {
    Role.OFFICER: "participants:dashboard",
    Role.COUNSELLOR: "workshops:dashboard",
    Role.RESEARCHER: "reports:dashboard",
    Role.TRIAL_MANAGER: "trial:dashboard",
    Role.DATA_MANAGER: "outcomes:dashboard",
    Role.NATIONAL_COORDINATOR: "oversight:national",
    Role.DATA_PROTECTION_OFFICER: "privacy:audit",
    Role.DATA_MONITORING_COMMITTEE: "reports:dashboard",
}

# Codenames of common.Access permissions; the migration grants each to its group.
PAGE_PERMISSIONS = {
    Role.OFFICER: "officer_pages",
    Role.COUNSELLOR: "counsellor_pages",
    Role.RESEARCHER: "research_pages",
    Role.TRIAL_MANAGER: "manage_trial",
    Role.DATA_MANAGER: "manage_data",
    Role.NATIONAL_COORDINATOR: "oversight_pages",
    Role.DATA_PROTECTION_OFFICER: "audit_pages",
    # Its own permission: holding research_pages would make a committee member a researcher.
    Role.DATA_MONITORING_COMMITTEE: "monitoring_pages",
}

# Order matters when one person holds two roles: they land on the first one's dashboard.
LANDING_ORDER = [
    Role.TRIAL_MANAGER,
    Role.DATA_MANAGER,
    Role.OFFICER,
    Role.COUNSELLOR,
    Role.RESEARCHER,
    Role.DATA_MONITORING_COMMITTEE,
    Role.NATIONAL_COORDINATOR,
    Role.DATA_PROTECTION_OFFICER,
]


def roles_of(user: User | AnonymousUser) -> list[Role]:
    """Return the roles a user holds in any trial, in landing order."""
    if not user.is_authenticated:
        return []
    from common.memberships import memberships_of  # memberships read the roles defined here

    names = {m.role for m in memberships_of(user)}
    return [role for role in LANDING_ORDER if role.value in names]


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    """Say whether the user holds the role in some trial (superusers hold every role)."""
    return bool(user.is_authenticated and user.has_perm(role.page_permission))
