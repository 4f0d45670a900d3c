"""Admin registrations for trial managers: read-only, every change goes through the services."""

from __future__ import annotations

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from workshops.models import Booking, Breach, Cycle, Reminder, Session


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ("number", "trial", "provider", "created_at")


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "part", "starts_at", "venue", "capacity", "cancelled_at")


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("participant", "session", "status", "attendance", "reason_accepted")
    list_filter = ("status",)


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ("participant", "status", "outcome", "opened_at", "notified_at")
    list_filter = ("status", "outcome")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("session", "channel", "claimed_at", "sent_at")
