"""The admin site, open to trial managers only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from common.roles import Role, has_role


class TrialAdminSite(admin.AdminSite):
    site_header = "Trial manager administration"
    site_title = "Trial manager admin"
    index_title = "Configuration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and has_role(user, Role.TRIAL_MANAGER))
