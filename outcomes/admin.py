"""Admin registrations for trial managers: sources, catalogue versions, pins and mappings."""

from django import forms
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


class RecordSourceForm(forms.ModelForm):
    """The bearer token is written, never shown: blank keeps it, the box removes it."""

    new_token = forms.CharField(
        label="Bearer token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="HTTP kind. Leave blank to keep the stored token; it is never displayed.",
    )
    clear_token = forms.BooleanField(label="Remove the stored token", required=False)
    url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text=RecordSource._meta.get_field("url").help_text,
    )

    class Meta:
        model = RecordSource
        fields = (
            "trial",
            "name",
            "kind",
            "is_active",
            "folder",
            "url",
            "timeout_seconds",
            "max_attempts",
            "backoff_seconds",
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("clear_token") and cleaned.get("new_token"):
            raise forms.ValidationError("Give a new token or remove the stored one, not both.")
        return cleaned

    def save(self, commit: bool = True) -> RecordSource:
        source = super().save(commit=False)
        if self.cleaned_data.get("clear_token"):
            source.token = ""
        elif self.cleaned_data.get("new_token"):
            source.token = self.cleaned_data["new_token"]
        if commit:
            source.save()
        return source


@admin.register(RecordSource)
class RecordSourceAdmin(admin.ModelAdmin):
    form = RecordSourceForm
    list_display = ("name", "trial", "kind", "is_active", "has_token")
    list_filter = ("trial", "kind", "is_active")
    fields = (
        "trial",
        "name",
        "kind",
        "is_active",
        "folder",
        "url",
        "new_token",
        "clear_token",
        "timeout_seconds",
        "max_attempts",
        "backoff_seconds",
    )

    @admin.display(boolean=True, description="Token stored")
    def has_token(self, source: RecordSource) -> bool:
        return bool(source.token)


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
