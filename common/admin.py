"""Admin of users, organisations, the audit trail and the outbox, and other apps' read-only base."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.memberships import memberships_of, trial_ids_where, trial_q
from common.models import (
    AuditEvent,
    Membership,
    Organisation,
    OutboxMessage,
    PoliceArea,
    Provider,
    User,
)
from common.permissions import request_user
from common.roles import Role
from common.selectors import managed_people
from common.services import organisation_save, police_area_save, provider_save


class TrialScopedAdmin(admin.ModelAdmin):
    """Lists and opens only the rows of the trials the manager manages (superusers: all).

    `trial_path` names the row's trial (e.g. "trial", "allocation__trial", "pk" for trials);
    None for shared rows (areas, providers). Another trial's row is "not found", as on the pages.
    """

    trial_path: str | None = None
    trial_roles: tuple[Role, ...] = (Role.TRIAL_MANAGER,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if self.trial_path is None:
            return rows
        return rows.filter(trial_q(request.user, *self.trial_roles, field=self.trial_path))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # A form that picks a trial offers only the user's.
        if self.trial_path is not None and db_field.name == "trial":
            trials = db_field.related_model._default_manager.all()
            kwargs["queryset"] = trials.filter(trial_q(request.user, *self.trial_roles, field="pk"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(TrialScopedAdmin):
    """Writes go through services with their audit events, never through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ThroughServiceAdmin(TrialScopedAdmin):
    """Saved by a service (save_model), never deleted from the admin."""

    fixed_on_change: tuple[str, ...] = ()  # a row's key: set when it is made, never changed

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.fixed_on_change if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @staticmethod
    def _copy(saved: Model, obj: Model) -> None:
        """Let the admin's log and redirect see the row the service wrote."""
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False


class ServiceCheckedForm(forms.ModelForm):
    """An admin form whose clean() asks the service's own check, so a refusal shows by its field.

    Each subclass names its service's check as `service_check(self, cleaned)`; it raises
    DomainError with the field to blame, exactly as the service would on save.
    """

    service_check: Callable[[dict[str, Any]], None]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.service_check(cleaned)
        except DomainError as error:
            add_domain_error(self, error)
        return cleaned


class MembershipInline(admin.TabularInline):
    """Roles in trials, read-only: granted and revoked on the People pages."""

    model = Membership
    fk_name = "user"
    fields = ("trial", "role", "granted_at", "granted_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, BaseUserAdmin):
    """Read-only: users and roles are managed on the People pages, through audited services.

    No path here sets is_superuser, a password or a group: superusers are made from the
    command line (createsuperuser), and a password is chosen by its owner from a link.
    """

    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Organisation", {"fields": ("organisation", "police_area", "provider")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "organisation",
        "police_area",
        "provider",
        "is_active",
    )
    list_filter = ("organisation", "police_area", "provider", "is_active")
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The people of the manager's trials, as on the People pages.
        return managed_people(request_user(request))


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdmin, GroupAdmin):
    """Read-only: the roles and their permissions are made by migrations."""


@admin.register(PoliceArea)
class PoliceAreaAdmin(ThroughServiceAdmin):
    list_display = ("code", "name", "force")
    fixed_on_change = ("code",)  # a stratum key: never renamed

    def save_model(self, request: HttpRequest, obj: PoliceArea, form: Any, change: bool) -> None:
        saved = police_area_save(
            code=obj.code,
            name=obj.name,
            force=obj.force,
            area=obj if change else None,
            by=request_user(request),
        )
        self._copy(saved, obj)


@admin.register(Organisation)
class OrganisationAdmin(ThroughServiceAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    fixed_on_change = ("kind",)

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        saved = organisation_save(
            name=obj.name,
            kind=obj.kind,
            organisation=obj if change else None,
            by=request_user(request),
        )
        self._copy(saved, obj)


@admin.register(Provider)
class ProviderAdmin(ThroughServiceAdmin):
    list_display = ("name", "organisation")
    exclude = ("organisation",)  # made with the provider by its service

    def save_model(self, request: HttpRequest, obj: Provider, form: Any, change: bool) -> None:
        saved = provider_save(
            name=obj.name, provider=obj if change else None, by=request_user(request)
        )
        self._copy(saved, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is written by services, never edited."""

    list_display = ("at", "actor", "action", "trial", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "object_id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # A manager reads their trials' events, as on the audit page (privacy.selectors).
        events = super().get_queryset(request)
        managed = trial_ids_where(request.user, Role.TRIAL_MANAGER)
        if managed is None:
            return events
        held = memberships_of(request.user)
        codes = [m.trial.code for m in held if m.trial is not None and m.trial.pk in managed]
        return events.filter(trial__in=codes)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Read-only: messages are written by services and sent by the outbox's tasks."""

    list_display = ("kind", "channel", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel", "kind")
    search_fields = ("kind", "message_id")
    date_hierarchy = "created_at"
