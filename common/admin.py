"""Admin of users, organisations and the audit trail, and the read-only base of other apps'."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from common.models import AuditEvent, PoliceArea, Provider, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Writes go through services with their audit events, never through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Organisation", {"fields": ("police_area", "provider")}),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "police_area",
        "provider",
        "is_active",
    )
    list_filter = ("groups", "police_area", "provider", "is_active")


@admin.register(PoliceArea)
class PoliceAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "force")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is written by services, never edited."""

    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "object_id")
