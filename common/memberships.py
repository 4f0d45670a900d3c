"""Who may act in which trial: a user's memberships, read once per request and cached on them.

Every selector that scopes rows by trial builds its filter here (`trial_q`), so the rule "a role
opens the rows of the trials it is held in" is written once. Superusers hold every role in every
trial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.functional import LazyObject, empty

from common.models import Membership, User

if TYPE_CHECKING:
    from common.roles import Role

AnyUser = User | AnonymousUser
CACHE = "_memberships_cache"
# Not Q(): an empty Q vanishes when OR-ed with another, and a superuser's "every trial" would
# narrow to the other side's rows.
EVERY_ROW = Q(pk__isnull=False)


def _unwrapped(user: AnyUser) -> AnyUser:
    """Return the user inside request.user's lazy wrappers (django-otp adds a second one).

    Each wrapper has a __dict__ of its own: caching on the user inside, where the permission
    backend reads, saves every page a second read of the memberships.
    """
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def memberships_of(user: AnyUser) -> list[Membership]:
    """Return the user's memberships with their trials (none for anonymous users)."""
    user = _unwrapped(user)
    if not user.is_authenticated:
        return []
    cached = user.__dict__.get(CACHE)
    if cached is None:
        cached = list(Membership.objects.filter(user_id=user.pk).select_related("trial"))
        user.__dict__[CACHE] = cached
    return cached


def memberships_forget(user: AnyUser) -> None:
    """Drop what was cached of the user's memberships and permissions (after a change)."""
    user = _unwrapped(user)
    for key in (CACHE, "_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(key, None)


def trial_ids_where(user: AnyUser, *roles: Role) -> set[int] | None:
    """Return the ids of the trials where the user holds one of the roles (None: every trial)."""
    if user.is_authenticated and user.is_superuser:
        return None
    names = {role.value for role in roles}
    return {m.trial_id for m in memberships_of(user) if m.role in names and m.trial_id}


def trial_q(user: AnyUser, *roles: Role, field: str = "trial") -> Q:
    """Return a filter keeping the rows whose `field` is a trial where the user holds a role."""
    ids = trial_ids_where(user, *roles)
    if ids is None:
        return EVERY_ROW
    return Q(**{f"{field}__in": sorted(ids)}) if ids else Q(pk__in=[])


def holds(user: AnyUser, role: Role, trial: Any) -> bool:
    """Say whether the user holds the role in this trial (a Trial or its id)."""
    ids = trial_ids_where(user, role)
    trial_id = getattr(trial, "pk", trial)
    return ids is None or trial_id in ids


def trials_of(user: AnyUser) -> list[Any]:
    """Return the trials where the user holds any role, by code (superusers: every trial)."""
    if user.is_authenticated and user.is_superuser:
        model = Membership._meta.get_field("trial").related_model
        return list(model._default_manager.order_by("code"))
    trials = {m.trial_id: m.trial for m in memberships_of(user) if m.trial_id}
    return sorted(trials.values(), key=lambda trial: trial.code)


def membership_check(by: AnyUser | None, trial: Any, *roles: Role) -> None:
    """Refuse a person who holds none of the roles in the trial (None is a command or task)."""
    if by is None or any(holds(by, role, trial) for role in roles):
        return
    from common.exceptions import NotAllowedError  # exceptions import nothing of ours

    names = " or ".join(role.value.lower() for role in roles)
    code = getattr(trial, "code", "this trial")
    raise NotAllowedError(f"Only a {names} of {code} may do this.")
