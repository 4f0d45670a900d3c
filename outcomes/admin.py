"""Admin of the follow-up data for trial managers: every change goes through a service.

Sources, catalogue pins and code mappings are saved by source_create / source_update,
harm_index_pin and offence_code_map, with their checks (where a source may point, a reason, a
target code that exists) shown next to the field, their transaction and their audit event.
Nothing here is deleted: a source is switched off, a pin or a mapping is changed with a reason.
Catalogue versions are loaded whole with load_harm_index and import runs are a record: both
are read-only. Sources, pins and runs are those of the trials whose data the user manages; the
catalogue and the code mappings are the installation's, shared by every trial.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from common.admin import ReadOnlyAdmin, ServiceCheckedForm, ThroughServiceAdmin
from common.exceptions import DomainError
from common.permissions import request_user
from common.roles import Role
from outcomes.models import (
    HarmIndexEntry,
    HarmIndexVersion,
    ImportRun,
    OffenceCodeMapping,
    RecordSource,
    SourceKind,
    TrialHarmIndex,
)
from outcomes.services import (
    SOURCE_FIELDS,
    harm_index_pin,
    harm_index_pin_check,
    offence_code_check,
    offence_code_map,
    source_check,
    source_create,
    source_update,
)

DATA_ROLES = (Role.DATA_MANAGER, Role.TRIAL_MANAGER)


class RecordSourceForm(ServiceCheckedForm):
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
        help_text="HTTP kind: first page of the endpoint, on a host the installation allows.",
    )
    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in (SourceKind.FOLDER, SourceKind.HTTP)]
    )

    class Meta:
        model = RecordSource
        fields = ("trial", "kind", *SOURCE_FIELDS)

    def service_check(self, cleaned: dict[str, Any]) -> None:
        if cleaned.get("clear_token") and cleaned.get("new_token"):
            raise DomainError("Give a new token or remove the stored one, not both.")
        source_check(
            kind=self.instance.kind if self.instance.pk else cleaned.get("kind", ""),
            folder=cleaned.get("folder", ""),
            url=cleaned.get("url", ""),
            timeout_seconds=cleaned.get("timeout_seconds"),
            max_attempts=cleaned.get("max_attempts"),
        )

    def token_change(self) -> str | None:
        """Return the token to store: None keeps it, "" removes it."""
        if self.cleaned_data.get("clear_token"):
            return ""
        return self.cleaned_data.get("new_token") or None


@admin.register(RecordSource)
class RecordSourceAdmin(ThroughServiceAdmin):
    trial_path, trial_roles = "trial", DATA_ROLES
    form = RecordSourceForm
    list_display = ("name", "trial", "kind", "is_active", "has_token")
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter), "kind", "is_active")
    fields = ("trial", "kind", *SOURCE_FIELDS, "new_token", "clear_token")
    fixed_on_change = ("trial", "kind")

    def get_queryset(self, request: HttpRequest) -> Any:
        # Pushed sources (uploads, manual entry, history) are made by their pages, not here.
        kinds = [SourceKind.FOLDER, SourceKind.HTTP]
        return super().get_queryset(request).filter(kind__in=kinds)

    @admin.display(boolean=True, description="Token stored")
    def has_token(self, source: RecordSource) -> bool:
        return bool(source.token)

    def save_model(self, request: HttpRequest, obj: RecordSource, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {name: data[name] for name in SOURCE_FIELDS if name in data}
        if change:
            saved = source_update(
                source=obj, values=values, token=form.token_change(), by=request_user(request)
            )
        else:
            saved = source_create(
                trial=data["trial"],
                name=values.pop("name"),
                kind=data["kind"],
                folder=values.pop("folder", ""),
                url=values.pop("url", ""),
                token=form.token_change() or "",
                by=request_user(request),
                **values,
            )
        self._copy(saved, obj)


class EntryInline(admin.TabularInline):
    model = HarmIndexEntry
    extra = 0
    can_delete = False
    readonly_fields = ("code", "title", "harm_days", "source")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(HarmIndexVersion)
class HarmIndexVersionAdmin(ReadOnlyAdmin):
    list_display = ("name", "loaded_at", "is_current")
    inlines = [EntryInline]


class PinForm(ServiceCheckedForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the trial scores with this version; kept in the audit trail.",
    )

    class Meta:
        model = TrialHarmIndex
        fields = ("trial", "version", "reason")

    def service_check(self, cleaned: dict[str, Any]) -> None:
        harm_index_pin_check(reason=cleaned.get("reason", ""))


@admin.register(TrialHarmIndex)
class TrialHarmIndexAdmin(ThroughServiceAdmin):
    trial_path, trial_roles = "trial", DATA_ROLES
    form = PinForm
    list_display = ("trial", "version")
    fixed_on_change = ("trial",)

    def save_model(
        self, request: HttpRequest, obj: TrialHarmIndex, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        saved = harm_index_pin(
            trial=obj.trial if change else data["trial"],
            version=data["version"],
            reason=data["reason"],
            by=request_user(request),
        )
        self._copy(saved, obj)


class MappingForm(ServiceCheckedForm):
    class Meta:
        model = OffenceCodeMapping
        fields = ("from_code", "to_code", "reason")

    def service_check(self, cleaned: dict[str, Any]) -> None:
        offence_code_check(
            from_code=cleaned.get("from_code", "") or self.instance.from_code,
            to_code=cleaned.get("to_code", ""),
            reason=cleaned.get("reason", ""),
        )


@admin.register(OffenceCodeMapping)
class OffenceCodeMappingAdmin(ThroughServiceAdmin):
    form = MappingForm
    list_display = ("from_code", "to_code", "reason", "created_at")
    fixed_on_change = ("from_code",)

    def save_model(
        self, request: HttpRequest, obj: OffenceCodeMapping, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        saved = offence_code_map(
            from_code=obj.from_code if change else data["from_code"],
            to_code=data["to_code"],
            reason=data["reason"],
            by=request_user(request),
        )
        self._copy(saved, obj)


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    trial_path, trial_roles = "source__trial", DATA_ROLES
    list_display = ("source", "label", "status", "rows", "added", "duplicates", "unmatched")
    # Only the sources of the runs listed: the filter names no other trial's sources.
    list_filter = ("status", ("source", admin.RelatedOnlyFieldListFilter))
