"""The identities API service tokens act as: made and closed with their tokens, audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from common.exceptions import DomainError
from common.models import Organisation, PoliceArea, User
from common.roles import Role
from common.services.audit import audit_record
from common.services.people import (
    _check_actor,
    _organisation_check,
    _roles_check,
    membership_grant,
)


def service_account_create(
    *,
    name: str,
    username: str,
    trial: Any,
    organisation: Organisation,
    police_area: PoliceArea | None,
    roles: Iterable[Role],
    by: User | None,
) -> User:
    """Create the identity an API service token acts as, with its roles in one trial.

    It has no password and no e-mail: it never signs in, receives no notice, and is found only
    through its token. Its roles are what its token's scopes need, so the services and selectors
    check and scope it exactly as they would a person; the audit names it.
    """
    roles = list(dict.fromkeys(Role(role) for role in roles))
    _check_actor(by, trial=trial)
    _roles_check(roles, police_area, None)
    _organisation_check(organisation, police_area, None)
    with transaction.atomic():
        user = User(
            username=username,
            first_name=name.strip()[:150],
            last_name="(service token)",
            organisation=organisation,
            police_area=police_area,
            is_service_account=True,
        )
        user.set_unusable_password()
        user.save()
        audit_record(
            actor=by,
            action="user.service_account",
            obj=user,
            trial=trial.code,
            roles=[role.value for role in roles],
            organisation=organisation.pk,
            police_area=police_area.pk if police_area else None,
        )
        for role in roles:
            membership_grant(user=user, role=role, trial=trial, by=by)
    return user


def service_account_close(*, user: User, by: User | None) -> bool:
    """Close a service account with its token (its roles stay, as history); say if it changed."""
    if not user.is_service_account:
        raise DomainError("Only a service account is closed with its token.")
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        if changed:
            user.is_active = False
            audit_record(actor=by, action="user.service_account_closed", obj=user)
    return bool(changed)
