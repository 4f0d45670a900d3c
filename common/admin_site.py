"""The admin site, open to trial managers only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from common.roles import Role, has_role


class TrialAdminSite(admin.AdminSite):
    site_header = "Trial manager administration"
    site_title = "Trial manager admin"
    index_title = "Configuration"

    @login_not_required
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One sign-in page for everyone, with its lockout, audit and second factor."""
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and has_role(user, Role.TRIAL_MANAGER))
