"""Reads shared by every app: users by id, and the People pages' users, roles and history."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from common.memberships import trial_ids_where
from common.models import (
    AuditEvent,
    AuditVerification,
    Membership,
    Organisation,
    PoliceArea,
    User,
)
from common.roles import LANDING_ORDER, Role, has_role


def user_by_id(pk: int | None) -> User | None:
    """Return the user with this id, or None (a task told who asked, or nobody)."""
    return User.objects.filter(pk=pk).first() if pk else None


def _manager(by: User) -> None:
    if not has_role(by, Role.TRIAL_MANAGER):
        raise PermissionDenied("Only a trial manager manages users and roles.")


def managed_people(by: User) -> QuerySet[User]:
    """The users a manager manages: with a role in one of their trials, or with none yet."""
    # Service accounts are managed with their tokens (api), not on the People pages.
    people = User.objects.filter(is_service_account=False).select_related(
        "organisation", "police_area", "provider"
    )
    managed = trial_ids_where(by, Role.TRIAL_MANAGER)
    if managed is None:
        return people
    in_trials = Membership.objects.filter(trial__isnull=False)
    return people.filter(
        Q(memberships__trial_id__in=sorted(managed)) | ~Q(pk__in=in_trials.values("user_id"))
    ).distinct()


def people_list(*, by: User, role: str = "", active: str = "") -> QuerySet[User]:
    """Return the users a trial manager manages, with their roles and organisations."""
    _manager(by)
    people = managed_people(by).prefetch_related("memberships__trial")
    if role:
        people = people.filter(pk__in=Membership.objects.filter(role=role).values("user_id"))
    if active:
        people = people.filter(is_active=active == "yes")
    return people.order_by("last_name", "first_name", "username")


def person_for(*, by: User, pk: int) -> User:
    """Return one user a trial manager manages, or 404 (another trial's people do not exist)."""
    _manager(by)
    person = managed_people(by).filter(pk=pk).first()
    if person is None:
        raise Http404("No such user.")
    return person


def people_rows(*, by: User, people: Iterable[User]) -> list[tuple[User, list[Membership]]]:
    """Pair each listed user with their roles in the manager's trials (from the prefetch)."""
    managed = trial_ids_where(by, Role.TRIAL_MANAGER)
    return [
        (
            person,
            [
                m
                for m in person.memberships.all()
                if managed is None or m.trial_id is None or m.trial_id in managed
            ],
        )
        for person in people
    ]


def person_roles(person: User) -> list[Role]:
    """Return the roles a user holds in any trial, in landing order."""
    names = {m.role for m in person.memberships.all()}
    return [role for role in LANDING_ORDER if role.value in names]


def person_memberships(*, by: User, person: User) -> list[Membership]:
    """Return a user's roles in the manager's trials and across the installation."""
    managed = trial_ids_where(by, Role.TRIAL_MANAGER)
    held = Membership.objects.filter(user=person).select_related("trial", "granted_by")
    if managed is not None:
        held = held.filter(Q(trial_id__in=sorted(managed)) | Q(trial__isnull=True))
    return list(held)


def organisations(kind: str | None = None) -> QuerySet[Organisation]:
    """Return the organisations (forces, providers, universities), by kind and name."""
    found = Organisation.objects.all()
    return found.filter(kind=kind) if kind else found


def police_areas(force: Organisation | None = None) -> QuerySet[PoliceArea]:
    """Return the police areas (of one force, if named), by name."""
    found = PoliceArea.objects.select_related("force").order_by("name")
    return found.filter(force=force) if force is not None else found


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
