"""Admin registrations for trial managers: read-only, every change goes through the services."""

from __future__ import annotations

from django.contrib import admin

from common.admin import ReadOnlyAdmin
from workshops.models import Booking, Breach, Cycle, Reminder, Session


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    list_display = ("number", "trial", "provider", "created_at")


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    trial_path = "cycle__trial"
    list_display = ("cycle", "part", "starts_at", "venue", "capacity", "cancelled_at")


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    trial_path = "session__cycle__trial"
    list_display = ("participant", "session", "status", "attendance", "reason_accepted")
    list_filter = ("status",)


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    trial_path = "participant__trial"
    list_display = ("participant", "status", "outcome", "opened_at", "notified_at")
    list_filter = ("status", "outcome")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    trial_path = "session__cycle__trial"
    list_display = ("session", "channel", "claimed_at", "sent_at")
