"""Permissions from memberships: a role's group grants its permissions to whoever holds it.

The groups stay what they were (the permissions of each role, made by migrations); a user is no
longer put in them. Holding a role in any trial brings its permissions; which trial's rows it
opens is the selectors' business.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import QuerySet

from common.memberships import memberships_of

# Each role's permissions, for a minute per process: the groups are made by migrations, and
# reading them cost every page a query (role_required asks on each request). Role names and
# permission codenames only: nothing of any user is kept across requests.
ROLE_PERMISSIONS_SECONDS = 60.0
_role_permissions: dict[str, tuple[float, frozenset[str]]] = {}
_lock = threading.Lock()


def role_permissions(name: str) -> frozenset[str]:
    """Return the permission strings of a role's group, read at most once a minute."""
    now = time.monotonic()
    with _lock:
        cached = _role_permissions.get(name)
    if cached is not None and now - cached[0] < ROLE_PERMISSIONS_SECONDS:
        return cached[1]
    rows = Permission.objects.filter(group__name=name).values_list(
        "content_type__app_label", "codename"
    )
    perms = frozenset(f"{app}.{codename}" for app, codename in rows)
    if perms:  # a group flushed or not yet made is read again on the next request
        with _lock:
            _role_permissions[name] = (now, perms)
    return perms


def role_permissions_forget() -> None:
    """Drop the cached role permissions (after a migration or a test changes a group)."""
    with _lock:
        _role_permissions.clear()


class MembershipBackend(ModelBackend):
    """Django's backend with group permissions read from memberships instead of user.groups."""

    def user_can_authenticate(self, user: Any) -> bool:
        # A service account is reached only through its API token (common.models.User).
        return super().user_can_authenticate(user) and not getattr(
            user, "is_service_account", False
        )

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        # The role's own permissions first: a page's check needs no read of the user's own
        # permissions when the role grants it (the answer is the same union either way).
        if user_obj.is_active and obj is None and perm in self.get_group_permissions(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_group_permissions(user_obj, obj)
        if not hasattr(user_obj, "_group_perm_cache"):
            names = {m.role for m in memberships_of(user_obj)}
            user_obj._group_perm_cache = set().union(*(role_permissions(n) for n in names))
        return set(user_obj._group_perm_cache)

    def _get_group_permissions(self, user_obj: Any) -> QuerySet[Permission]:
        names = {m.role for m in memberships_of(user_obj)}
        return Permission.objects.filter(group__name__in=names)
