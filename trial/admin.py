"""Admin registrations: read-only views of the trial's records; changes go through services.

Seeds are never shown, and slots are listed only once used, so the admin reveals no future
allocation (the audited sequence page is the one way to see those).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from common.admin import ReadOnlyAdmin
from trial.models import (
    Allocation,
    AllocationNotice,
    Arm,
    ChainVerification,
    DesignVersion,
    PostRandomisationEvent,
    Slot,
    Stratum,
    Trial,
)


@admin.register(Trial)
class TrialAdmin(ReadOnlyAdmin):
    trial_path = "pk"
    list_display = ("code", "title", "status", "allocations_imported")


@admin.register(Arm)
class ArmAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    list_display = ("trial", "code", "name", "ratio", "is_intervention")
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter),)


@admin.register(DesignVersion)
class DesignVersionAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    list_display = ("trial", "number", "ratios", "block_multipliers", "created_at", "created_by")
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter),)


@admin.register(Stratum)
class StratumAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    # No remaining-slot figures either: blocks_generated minus next_position would count them.
    list_display = ("trial", "design", "key", "created_at")
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter),)
    fields = ("trial", "design", "key", "values", "created_at")


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    trial_path = "stratum__trial"
    list_display = ("stratum", "position", "block_number", "block_size", "arm")
    list_filter = (("stratum__trial", admin.RelatedOnlyFieldListFilter),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Slot]:
        return super().get_queryset(request).filter(allocation__isnull=False)


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    list_display = (
        "trial",
        "stratum",
        "seq",
        "participant_key",
        "arm",
        "randomised_on",
        "imported",
    )
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter), "arm", "imported")
    search_fields = ("participant_key",)
    exclude = ("person_key",)


@admin.register(PostRandomisationEvent)
class PostRandomisationEventAdmin(ReadOnlyAdmin):
    trial_path = "allocation__trial"
    list_display = ("allocation", "kind", "occurred_on", "recorded_by", "recorded_at")
    list_filter = ("kind",)


@admin.register(ChainVerification)
class ChainVerificationAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    list_display = (
        "trial",
        "at",
        "ok",
        "rows_checked",
        "first_broken_stratum",
        "first_broken_seq",
        "message",
    )
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter), "ok")


@admin.register(AllocationNotice)
class AllocationNoticeAdmin(ReadOnlyAdmin):
    trial_path = "allocation__trial"
    list_display = ("allocation", "recipient", "sent_at")
