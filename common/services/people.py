"""Users, their roles and their organisations: every change audited, made by a trial manager.

The product's People pages, the admin and the commands all call these. Nobody sets another
person's password: an invited user and a user who forgot theirs get a reset link by e-mail
(through the outbox, rendered at send time, so the row holds no token). Superusers are made only
from the command line by superuser_create.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from common.exceptions import DomainError
from common.memberships import holds, memberships_forget, trial_ids_where
from common.models import INSTALLATION_ROLES, Membership, Organisation, PoliceArea, Provider, User
from common.roles import Role, has_role
from common.services.audit import audit_record
from common.services.outbox import outbox_enqueue

INVITE = "common.account_invite"
RESET = "common.password_reset"

# What each role needs to see anything: an officer sees their area's cases, a counsellor their
# provider's workshops.
NEEDS = {Role.OFFICER: "police_area", Role.COUNSELLOR: "provider"}


def _check_actor(by: User | None, user: User | None = None, trial: Any = None) -> None:
    """Refuse anyone but a trial manager (of the trial, if one is named; None is a command).

    A manager manages the people of their trials: someone who holds roles only in other trials
    is not theirs to change. Superusers' accounts are managed from the command line.
    """
    if by is not None and not has_role(by, Role.TRIAL_MANAGER):
        raise DomainError("Only a trial manager manages users and roles.")
    if by is not None and trial is not None and not holds(by, Role.TRIAL_MANAGER, trial):
        raise DomainError("You manage the people of your own trials only.")
    if by is not None and user is not None and not person_is_managed_by(user, by):
        raise DomainError("This person works in trials you do not manage.")
    if user is not None and user.is_superuser and not (by is None or by.is_superuser):
        raise DomainError("A superuser's account is managed from the command line.")


def person_is_managed_by(user: User, by: User) -> bool:
    """Say whether a trial manager manages this person: no trial roles yet, or one in theirs."""
    managed = trial_ids_where(by, Role.TRIAL_MANAGER)
    if managed is None:
        return True
    theirs = {m.trial_id for m in Membership.objects.filter(user=user, trial__isnull=False)}
    return not theirs or bool(theirs & managed)


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _roles_check(roles: Iterable[Role], police_area: PoliceArea | None, provider: object) -> None:
    held = {"police_area": police_area, "provider": provider}
    for role in roles:
        need = NEEDS.get(role)
        if need and held[need] is None:
            what = "police area" if need == "police_area" else "workshop provider"
            raise DomainError(f"A {role.value.lower()} needs a {what}.", field=need)


def _organisation_check(
    organisation: Organisation | None, police_area: PoliceArea | None, provider: Provider | None
) -> None:
    if (
        police_area is not None
        and organisation is not None
        and police_area.force_id != organisation.pk
    ):
        raise DomainError(
            f"{police_area.name} is an area of {police_area.force}, not of {organisation}.",
            field="police_area",
        )
    if (
        provider is not None
        and organisation is not None
        and provider.organisation_id != organisation.pk
    ):
        raise DomainError(f"{provider} is not part of {organisation}.", field="provider")


def user_invite_check(*, username: str, email: str) -> tuple[str, str]:
    """Refuse a taken username or a missing or malformed address; return both cleaned."""
    username, email = username.strip(), email.strip().lower()
    if not username:
        raise DomainError("Give a username.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"The username {username} is taken.", field="username")
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("Give the person's work e-mail address.", field="email") from None
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("Another account has this e-mail address.", field="email")
    return username, email


def user_invite(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role],
    trial: Any = None,
    organisation: Organisation | None = None,
    police_area: PoliceArea | None = None,
    provider: Provider | None = None,
    by: User | None,
) -> User:
    """Create an account with no password, its roles in a trial, and e-mail it a link."""
    roles = list(dict.fromkeys(Role(role) for role in roles))
    if roles and trial is None and any(r.value not in INSTALLATION_ROLES for r in roles):
        raise DomainError("Choose the trial the roles are held in.", field="roles")
    _check_actor(by, trial=trial)
    _roles_check(roles, police_area, provider)
    if organisation is None:
        organisation = police_area.force if police_area else None
        organisation = organisation or (provider.organisation if provider else None)
    _organisation_check(organisation, police_area, provider)
    with transaction.atomic():
        username, email = user_invite_check(username=username, email=email)
        user = User(
            username=username,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            organisation=organisation,
            police_area=police_area,
            provider=provider,
            is_staff=Role.TRIAL_MANAGER in roles,
        )
        user.set_unusable_password()
        user.save()
        audit_record(
            actor=by,
            action="user.invite",
            obj=user,
            roles=[role.value for role in roles],
            organisation=organisation.pk if organisation else None,
            police_area=police_area.pk if police_area else None,
            provider=provider.pk if provider else None,
        )
        for role in roles:
            membership_grant(user=user, role=role, trial=trial, by=by)
        outbox_enqueue(
            kind=INVITE, context={"user": user.pk}, recipients={"users": [user.pk]}, by=by
        )
    return user


def _trial_of(role: Role, trial: Any) -> Any:
    if role.value in INSTALLATION_ROLES:
        return None
    if trial is None:
        raise DomainError(f"A {role.value.lower()} holds the role in a trial: choose one.")
    return trial


def membership_grant(*, user: User, role: Role, trial: Any, by: User | None) -> bool:
    """Give a user a role in a trial; say whether it changed anything (a held role stays)."""
    role = Role(role)
    trial = _trial_of(role, trial)
    if role.value in INSTALLATION_ROLES and by is not None and not by.is_superuser:
        raise DomainError(f"The {role.value.lower()} role is granted by a superuser.")
    _check_actor(by, user, trial)
    with transaction.atomic():
        locked = _locked(user)
        if Membership.objects.filter(user=locked, trial=trial, role=role.value).exists():
            return False
        _roles_check([role], locked.police_area, locked.provider)
        Membership.objects.create(user=locked, trial=trial, role=role.value, granted_by=by)
        if role is Role.TRIAL_MANAGER and not locked.is_staff:
            locked.is_staff = True  # the admin's door: trial managers only
            locked.save(update_fields=["is_staff"])
        audit_record(
            actor=by,
            action="role.grant",
            obj=locked,
            role=role.value,
            trial=trial.code if trial is not None else "",
        )
    memberships_forget(user)
    return True


def membership_revoke(*, user: User, role: Role, trial: Any, by: User | None) -> bool:
    """Take a user's role in a trial; say whether it changed anything."""
    role = Role(role)
    trial = _trial_of(role, trial)
    if role.value in INSTALLATION_ROLES and by is not None and not by.is_superuser:
        raise DomainError(f"The {role.value.lower()} role is revoked by a superuser.")
    _check_actor(by, user, trial)
    if by is not None and by.pk == user.pk and role is Role.TRIAL_MANAGER:
        raise DomainError("You cannot take your own trial manager role: ask another manager.")
    with transaction.atomic():
        locked = _locked(user)
        deleted, _ = Membership.objects.filter(user=locked, trial=trial, role=role.value).delete()
        if not deleted:
            return False
        still_manager = Membership.objects.filter(user=locked, role=role.value).exists()
        if role is Role.TRIAL_MANAGER and not still_manager and not locked.is_superuser:
            locked.is_staff = False
            locked.save(update_fields=["is_staff"])
        audit_record(
            actor=by,
            action="role.revoke",
            obj=locked,
            role=role.value,
            trial=trial.code if trial is not None else "",
        )
    memberships_forget(user)
    return True


def user_roles_set(*, user: User, trial: Any, roles: Iterable[Role], by: User | None) -> set[Role]:
    """Give a user exactly these roles in a trial, all or none (each change audited)."""
    wanted = {Role(role) for role in roles if Role(role).value not in INSTALLATION_ROLES}
    with transaction.atomic():
        held = {Role(m.role) for m in Membership.objects.filter(user=_locked(user), trial=trial)}
        for role in sorted(held - wanted):
            membership_revoke(user=user, role=role, trial=trial, by=by)
        for role in sorted(wanted - held):
            membership_grant(user=user, role=role, trial=trial, by=by)
    return (held - wanted) | (wanted - held)


def user_organisation_set(
    *,
    user: User,
    police_area: PoliceArea | None,
    provider: Provider | None,
    by: User | None,
    organisation: Organisation | None = None,
) -> bool:
    """Set the organisation, police area and workshop provider a user belongs to.

    Without an organisation, the area's force or the provider's organisation is taken.
    """
    _check_actor(by, user)
    if organisation is None:
        organisation = police_area.force if police_area else None
        organisation = organisation or (provider.organisation if provider else None)
    _organisation_check(organisation, police_area, provider)
    with transaction.atomic():
        locked = _locked(user)
        roles = [Role(m.role) for m in Membership.objects.filter(user=locked)]
        _roles_check(roles, police_area, provider)
        before = (locked.organisation_id, locked.police_area_id, locked.provider_id)
        after = (
            organisation.pk if organisation else None,
            police_area.pk if police_area else None,
            provider.pk if provider else None,
        )
        if before == after:
            return False
        locked.organisation = organisation
        locked.police_area, locked.provider = police_area, provider
        locked.save(update_fields=["organisation", "police_area", "provider"])
        audit_record(
            actor=by,
            action="user.organisation",
            obj=locked,
            organisation=[before[0], after[0]],
            police_area=[before[1], after[1]],
            provider=[before[2], after[2]],
        )
    user.organisation = organisation
    user.police_area, user.provider = police_area, provider
    return True


def user_active_set(*, user: User, active: bool, by: User | None) -> bool:
    """Deactivate a user (they cannot sign in; their records stay) or let them back in."""
    _check_actor(by, user)
    if by is not None and by.pk == user.pk and not active:
        raise DomainError("You cannot deactivate your own account.")
    with transaction.atomic():
        locked = _locked(user)
        if locked.is_active == active:
            return False
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        action = "user.reactivate" if active else "user.deactivate"
        audit_record(actor=by, action=action, obj=locked)
    user.is_active = active
    return True


def password_reset_send(*, user: User, by: User | None) -> None:
    """E-mail a user a link to choose a new password (what a manager does instead of setting it)."""
    _check_actor(by, user)
    if not user.is_active:
        raise DomainError("The account is deactivated: reactivate it first.")
    if not user.email:
        raise DomainError("The account has no e-mail address to send the link to.")
    with transaction.atomic():
        audit_record(actor=by, action="user.password_reset_sent", obj=user)
        outbox_enqueue(
            kind=RESET, context={"user": user.pk}, recipients={"users": [user.pk]}, by=by
        )


def user_password_set(*, user: User, password: str, via: str) -> None:
    """Set a password from a command (the demo loader, changepassword): never from a page."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from None
    with transaction.atomic():
        locked = _locked(user)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        audit_record(actor=None, action="user.password_set", obj=locked, via=via)
    user.password = locked.password


def superuser_create(
    *, username: str, email: str, password: str, by: User | None, via: str
) -> User:
    """Create a superuser from the command line: the first one, or on an existing one's word."""
    if by is None and User.objects.filter(is_superuser=True).exists():
        raise DomainError("Only an existing superuser can create another superuser.")
    if by is not None and not (by.is_superuser and by.is_active):
        raise DomainError(f"{by.username} is not an active superuser.")
    with transaction.atomic():
        username, email = user_invite_check(username=username, email=email)
        user = User(username=username, email=email, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages), field="password") from None
        user.set_password(password)
        user.save()
        audit_record(actor=by, action="user.superuser_create", obj=user, via=via)
    return user


def organisation_save(
    *, name: str, kind: str, by: User | None, organisation: Organisation | None = None
) -> Organisation:
    """Create a force, provider or university, or rename one (its kind never changes)."""
    _check_actor(by)
    name = name.strip()
    if not name:
        raise DomainError("Give the organisation's name.", field="name")
    if kind not in Organisation.Kind.values:
        raise DomainError(
            "Choose a police force, a workshop provider or a university.", field="kind"
        )
    with transaction.atomic():
        clash = Organisation.objects.filter(name__iexact=name)
        if organisation is not None:
            clash = clash.exclude(pk=organisation.pk)
        if clash.exists():
            raise DomainError(f"An organisation called {name} exists.", field="name")
        if organisation is None:
            organisation = Organisation.objects.create(name=name, kind=kind)
            audit_record(actor=by, action="organisation.create", obj=organisation, kind=kind)
            if kind == Organisation.Kind.PROVIDER:
                Provider.objects.create(name=name, organisation=organisation)
        else:
            organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
            if organisation.kind != kind:
                raise DomainError("An organisation's kind does not change.", field="kind")
            before = organisation.name
            organisation.name = name
            organisation.save(update_fields=["name"])
            Provider.objects.filter(organisation=organisation).update(name=name)
            audit_record(actor=by, action="organisation.update", obj=organisation, before=before)
    return organisation


def police_area_save(
    *,
    code: str,
    name: str,
    force: Organisation | None,
    by: User | None,
    area: PoliceArea | None = None,
) -> PoliceArea:
    """Create a police area, or rename one (its code, a stratum key, never changes)."""
    _check_actor(by)
    code, name = code.strip(), name.strip()
    if not name or force is None:
        raise DomainError(
            "Give the area's name and its force.", field="name" if not name else "force"
        )
    if force.kind != Organisation.Kind.FORCE:
        raise DomainError(f"{force} is not a police force.", field="force")
    with transaction.atomic():
        if area is None:
            if PoliceArea.objects.filter(code=code).exists():
                raise DomainError(f"An area with the code {code} exists.", field="code")
            area = PoliceArea.objects.create(code=code, name=name, force=force)
            audit_record(actor=by, action="police_area.create", obj=area, code=code, name=name)
        else:
            area = PoliceArea.objects.select_for_update().get(pk=area.pk)
            before = {"name": area.name, "force": area.force_id}
            area.name, area.force = name, force
            area.save(update_fields=["name", "force"])
            audit_record(actor=by, action="police_area.update", obj=area, before=before)
    return area


def provider_save(*, name: str, by: User | None, provider: Provider | None = None) -> Provider:
    """Create a workshop provider, or rename one."""
    _check_actor(by)
    name = name.strip()
    if not name:
        raise DomainError("Give the provider's name.", field="name")
    with transaction.atomic():
        clash = Provider.objects.filter(name__iexact=name)
        if provider is not None:
            clash = clash.exclude(pk=provider.pk)
        if clash.exists():
            raise DomainError(f"A provider called {name} exists.", field="name")
        if provider is None:
            organisation = Organisation.objects.filter(name__iexact=name).first()
            if organisation is not None:
                raise DomainError(f"An organisation called {name} exists.", field="name")
            organisation = Organisation.objects.create(name=name, kind=Organisation.Kind.PROVIDER)
            provider = Provider.objects.create(name=name, organisation=organisation)
            audit_record(actor=by, action="provider.create", obj=provider, name=name)
        else:
            provider = Provider.objects.select_for_update().get(pk=provider.pk)
            before = provider.name
            provider.name = name
            provider.save(update_fields=["name"])
            Organisation.objects.filter(pk=provider.organisation_id).update(name=name)
            audit_record(actor=by, action="provider.update", obj=provider, before=before)
    return provider
