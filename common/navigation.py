"""The menu each role sees: apps register their pages here by URL name."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import NoReverseMatch, reverse

from common.models import User
from common.roles import Role, roles_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


# Role -> (label, URL name). Later pages are added here as their apps grow.
MENUS: dict[Role, list[tuple[str, str]]] = {
    Role.OFFICER: [
        ("My cases", "participants:dashboard"),
        ("Screen a case", "participants:screen"),
        ("Breaches", "breaches:list"),
    ],
    Role.COUNSELLOR: [
        ("Workshops", "workshops:dashboard"),
        ("New cycle", "workshops:cycle_new"),
        ("Calendar", "workshops:calendar"),
    ],
    Role.RESEARCHER: [("Research", "reports:dashboard"), ("Balance", "trial:balance_index")],
    Role.DATA_MONITORING_COMMITTEE: [("Reports", "reports:dashboard")],
    Role.TRIAL_MANAGER: [
        ("Trial", "trial:dashboard"),
        ("Balance", "trial:balance_index"),
        ("Cases", "participants:case_list"),
        ("Follow-up data", "outcomes:dashboard"),
        ("Reports", "reports:dashboard"),
        ("Workshop providers", "workshops:deliveries"),
        ("Data quality", "oversight:quality"),
        ("People", "people:list"),
        ("API tokens", "api:service_tokens"),
        ("Audit trail", "privacy:audit"),
        ("Admin", "admin:index"),
    ],
    Role.DATA_MANAGER: [("Follow-up data", "outcomes:dashboard")],
    Role.NATIONAL_COORDINATOR: [
        ("Programme", "oversight:national"),
        ("Data quality", "oversight:quality"),
    ],
    Role.DATA_PROTECTION_OFFICER: [
        ("Audit trail", "privacy:audit"),
        ("Subject access", "privacy:subject_access"),
    ],
}


def nav_for(user: User | AnonymousUser) -> tuple[list[NavItem], list[Role]]:
    """Return the menu entries and roles of a user, without duplicates."""
    roles = roles_of(user)
    items: list[NavItem] = []
    seen: set[str] = set()
    for role in roles:
        for label, name in MENUS[role]:
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            if url not in seen:
                seen.add(url)
                items.append(NavItem(label, url))
    return items, roles
