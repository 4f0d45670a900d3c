"""Admin registrations for trial managers: read-only, every change goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from workshops.models import Booking, Breach, Cycle, Reminder, Session


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cycle)
class CycleAdmin(ReadOnly):
    list_display = ("number", "trial", "provider", "created_at")


@admin.register(Session)
class SessionAdmin(ReadOnly):
    list_display = ("cycle", "part", "starts_at", "venue", "capacity", "cancelled_at")


@admin.register(Booking)
class BookingAdmin(ReadOnly):
    list_display = ("participant", "session", "status", "attendance", "reason_accepted")
    list_filter = ("status",)


@admin.register(Breach)
class BreachAdmin(ReadOnly):
    list_display = ("participant", "status", "outcome", "opened_at", "notified_at")
    list_filter = ("status", "outcome")


@admin.register(Reminder)
class ReminderAdmin(ReadOnly):
    list_display = ("session", "channel", "claimed_at", "sent_at")
