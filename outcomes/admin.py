"""Admin registrations for trial managers: sources, catalogue versions, pins and mappings."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from outcomes.models import (
    HarmIndexEntry,
    HarmIndexVersion,
    ImportRun,
    OffenceCodeMapping,
    RecordSource,
    TrialHarmIndex,
)


@admin.register(RecordSource)
class RecordSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "trial", "kind", "is_active")
    list_filter = ("trial", "kind", "is_active")
    fields = (
        "trial",
        "name",
        "kind",
        "is_active",
        "folder",
        "url",
        "token",
        "timeout_seconds",
        "max_attempts",
        "backoff_seconds",
    )


class EntryInline(admin.TabularInline):
    model = HarmIndexEntry
    extra = 0
    can_delete = False
    readonly_fields = ("code", "title", "harm_days", "source")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # versions are loaded whole with load_harm_index


@admin.register(HarmIndexVersion)
class HarmIndexVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "loaded_at", "is_current")
    readonly_fields = ("name", "loaded_at", "source_note", "is_current")
    inlines = [EntryInline]


@admin.register(TrialHarmIndex)
class TrialHarmIndexAdmin(admin.ModelAdmin):
    list_display = ("trial", "version")


@admin.register(OffenceCodeMapping)
class OffenceCodeMappingAdmin(admin.ModelAdmin):
    list_display = ("from_code", "to_code", "reason", "created_at")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("source", "label", "status", "rows", "added", "duplicates", "unmatched")
    list_filter = ("status", "source")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
