"""Users, their roles and their organisations: every change audited, made by a trial manager.

The product's People pages, the admin and the commands all call these. Nobody sets another
person's password: an invited user and a user who forgot theirs get a reset link by e-mail
(through the outbox, rendered at send time, so the row holds no token). Superusers are made only
from the command line by superuser_create.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from common.exceptions import DomainError
from common.models import PoliceArea, Provider, User
from common.roles import Role, has_role
from common.services.audit import audit_record
from common.services.outbox import outbox_enqueue

INVITE = "common.account_invite"
RESET = "common.password_reset"

# What each role needs to see anything: an officer sees their area's cases, a counsellor their
# provider's workshops.
NEEDS = {Role.OFFICER: "police_area", Role.COUNSELLOR: "provider"}


def _check_actor(by: User | None, user: User | None = None) -> None:
    """Refuse anyone but a trial manager (None is a command), and superusers' accounts."""
    if by is not None and not has_role(by, Role.TRIAL_MANAGER):
        raise DomainError("Only a trial manager manages users and roles.")
    if user is not None and user.is_superuser and not (by is None or by.is_superuser):
        raise DomainError("A superuser's account is managed from the command line.")


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _roles_check(roles: Iterable[Role], police_area: PoliceArea | None, provider: object) -> None:
    held = {"police_area": police_area, "provider": provider}
    for role in roles:
        need = NEEDS.get(role)
        if need and held[need] is None:
            what = "police area" if need == "police_area" else "workshop provider"
            raise DomainError(f"A {role.value.lower()} needs a {what}.", field=need)


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
    police_area: PoliceArea | None = None,
    provider: Provider | None = None,
    by: User | None,
) -> User:
    """Create an account with no password and e-mail its owner a link to choose one."""
    _check_actor(by)
    roles = list(dict.fromkeys(Role(role) for role in roles))
    _roles_check(roles, police_area, provider)
    with transaction.atomic():
        username, email = user_invite_check(username=username, email=email)
        user = User(
            username=username,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            police_area=police_area,
            provider=provider,
            is_staff=Role.TRIAL_MANAGER in roles,
        )
        user.set_unusable_password()
        user.save()
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        audit_record(
            actor=by,
            action="user.invite",
            obj=user,
            roles=[role.value for role in roles],
            police_area=police_area.pk if police_area else None,
            provider=provider.pk if provider else None,
        )
        for role in roles:
            audit_record(actor=by, action="role.grant", obj=user, role=role.value)
        outbox_enqueue(
            kind=INVITE, context={"user": user.pk}, recipients={"users": [user.pk]}, by=by
        )
    return user


def role_grant(*, user: User, role: Role, by: User | None) -> bool:
    """Give a user a role; say whether it changed anything (a held role is left alone)."""
    role = Role(role)
    _check_actor(by, user)
    with transaction.atomic():
        locked = _locked(user)
        if locked.groups.filter(name=role.value).exists():
            return False
        _roles_check([role], locked.police_area, locked.provider)
        locked.groups.add(Group.objects.get(name=role.value))
        if role is Role.TRIAL_MANAGER and not locked.is_staff:
            locked.is_staff = True  # the admin's door: trial managers only
            locked.save(update_fields=["is_staff"])
        audit_record(actor=by, action="role.grant", obj=locked, role=role.value)
    return True


def role_revoke(*, user: User, role: Role, by: User | None) -> bool:
    """Take a role from a user; say whether it changed anything."""
    role = Role(role)
    _check_actor(by, user)
    if by is not None and by.pk == user.pk and role is Role.TRIAL_MANAGER:
        raise DomainError("You cannot take your own trial manager role: ask another manager.")
    with transaction.atomic():
        locked = _locked(user)
        group = locked.groups.filter(name=role.value).first()
        if group is None:
            return False
        locked.groups.remove(group)
        if role is Role.TRIAL_MANAGER and locked.is_staff and not locked.is_superuser:
            locked.is_staff = False
            locked.save(update_fields=["is_staff"])
        audit_record(actor=by, action="role.revoke", obj=locked, role=role.value)
    return True


def user_roles_set(*, user: User, roles: Iterable[Role], by: User | None) -> set[Role]:
    """Give a user exactly these roles, all or none (each grant and revocation audited)."""
    wanted = {Role(role) for role in roles}
    with transaction.atomic():
        held = {Role(name) for name in _locked(user).groups.values_list("name", flat=True)}
        for role in sorted(held - wanted):
            role_revoke(user=user, role=role, by=by)
        for role in sorted(wanted - held):
            role_grant(user=user, role=role, by=by)
    return (held - wanted) | (wanted - held)


def user_organisation_set(
    *,
    user: User,
    police_area: PoliceArea | None,
    provider: Provider | None,
    by: User | None,
) -> bool:
    """Set the police area and the workshop provider a user belongs to."""
    _check_actor(by, user)
    with transaction.atomic():
        locked = _locked(user)
        roles = [role for role in Role if locked.groups.filter(name=role.value).exists()]
        _roles_check(roles, police_area, provider)
        before = (locked.police_area_id, locked.provider_id)
        after = (police_area.pk if police_area else None, provider.pk if provider else None)
        if before == after:
            return False
        locked.police_area, locked.provider = police_area, provider
        locked.save(update_fields=["police_area", "provider"])
        audit_record(
            actor=by,
            action="user.organisation",
            obj=locked,
            police_area=[before[0], after[0]],
            provider=[before[1], after[1]],
        )
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
        user.groups.set([Group.objects.get(name=Role.TRIAL_MANAGER.value)])
        audit_record(actor=by, action="user.superuser_create", obj=user, via=via)
    return user


def police_area_save(
    *, code: str, name: str, force: str, by: User | None, area: PoliceArea | None = None
) -> PoliceArea:
    """Create a police area, or rename one (its code, a stratum key, never changes)."""
    _check_actor(by)
    code, name, force = code.strip(), name.strip(), force.strip()
    if not name or not force:
        raise DomainError(
            "Give the area's name and its force.", field="name" if not name else "force"
        )
    with transaction.atomic():
        if area is None:
            if PoliceArea.objects.filter(code=code).exists():
                raise DomainError(f"An area with the code {code} exists.", field="code")
            area = PoliceArea.objects.create(code=code, name=name, force=force)
            audit_record(actor=by, action="police_area.create", obj=area, code=code, name=name)
        else:
            area = PoliceArea.objects.select_for_update().get(pk=area.pk)
            before = {"name": area.name, "force": area.force}
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
            provider = Provider.objects.create(name=name)
            audit_record(actor=by, action="provider.create", obj=provider, name=name)
        else:
            provider = Provider.objects.select_for_update().get(pk=provider.pk)
            before = provider.name
            provider.name = name
            provider.save(update_fields=["name"])
            audit_record(actor=by, action="provider.update", obj=provider, before=before)
    return provider
