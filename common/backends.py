"""Permissions from memberships: a role's group grants its permissions to whoever holds it.

The groups stay what they were (the permissions of each role, made by migrations); a user is no
longer put in them. Holding a role in any trial brings its permissions; which trial's rows it
opens is the selectors' business.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import QuerySet

from common.memberships import memberships_of


class MembershipBackend(ModelBackend):
    """Django's backend with group permissions read from memberships instead of user.groups."""

    def user_can_authenticate(self, user: Any) -> bool:
        # A service account is reached only through its API token (common.models.User).
        return super().user_can_authenticate(user) and not getattr(
            user, "is_service_account", False
        )

    def _get_group_permissions(self, user_obj: Any) -> QuerySet[Permission]:
        names = {m.role for m in memberships_of(user_obj)}
        return Permission.objects.filter(group__name__in=names)
