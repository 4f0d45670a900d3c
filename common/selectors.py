"""Reads shared by every app: users by id, and the People pages' users, roles and history."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from common.models import AuditEvent, AuditVerification, User
from common.roles import LANDING_ORDER, Role, has_role


def user_by_id(pk: int | None) -> User | None:
    """Return the user with this id, or None (a task told who asked, or nobody)."""
    return User.objects.filter(pk=pk).first() if pk else None


def _manager(by: User) -> None:
    if not has_role(by, Role.TRIAL_MANAGER):
        raise PermissionDenied("Only a trial manager manages users and roles.")


def people_list(*, by: User, role: str = "", active: str = "") -> QuerySet[User]:
    """Return the users a trial manager manages, with their roles and organisations."""
    _manager(by)
    people = User.objects.select_related("police_area", "provider").prefetch_related("groups")
    if role:
        people = people.filter(groups__name=role)
    if active:
        people = people.filter(is_active=active == "yes")
    return people.order_by("last_name", "first_name", "username")


def person_for(*, by: User, pk: int) -> User:
    """Return one user for a trial manager, or 404."""
    _manager(by)
    person = User.objects.select_related("police_area", "provider").filter(pk=pk).first()
    if person is None:
        raise Http404("No such user.")
    return person


def person_roles(person: User) -> list[Role]:
    """Return the roles a user holds (superuser or not), in landing order."""
    names = {group.name for group in person.groups.all()}
    return [role for role in LANDING_ORDER if role.value in names]


def person_history(*, by: User, person: User, limit: int = 50) -> list[AuditEvent]:
    """Return the audit events about a user's account: invitations, roles, organisation."""
    _manager(by)
    events = AuditEvent.objects.filter(object_type=User._meta.label, object_id=str(person.pk))
    return list(events.select_related("actor").order_by("-at", "-pk")[:limit])


def user_by_username(username: str) -> User | None:
    """Return the user with this user name, or None (the audit page's filter)."""
    return User.objects.filter(username=username.strip()).first() if username.strip() else None


def audit_verification_last() -> AuditVerification | None:
    """Return the last run of verify_audit, or None before the first."""
    return AuditVerification.objects.order_by("-at", "-id").first()
