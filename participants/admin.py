"""Admin for trial managers: read-only, and without personal data (the officer pages audit that)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from common.admin import ReadOnlyAdmin
from participants.models import EligibilityRuleSet, Participant
from participants.selectors import PERSONAL_FIELDS


@admin.register(EligibilityRuleSet)
class EligibilityRuleSetAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    list_display = ("trial", "version", "created_at", "created_by", "reason")
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter),)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    trial_path = "trial"
    list_display = ("pseudonym", "trial", "police_area", "status", "screened_at", "allocation")
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter), "status", "police_area")
    search_fields = ("pseudonym", "custody_reference")
    exclude = (*PERSONAL_FIELDS, "person_key", "submission_token", "enrol_token")
    list_select_related = ("trial", "police_area", "allocation")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer(*PERSONAL_FIELDS)
