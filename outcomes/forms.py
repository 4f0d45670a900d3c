"""Forms of the data manager's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from common.exceptions import DomainError
from common.forms import DatePickerInput, PlainMessages
from common.memberships import AnyUser
from common.roles import Role
from outcomes.models import RecordStatus, VictimRelationship
from outcomes.services import upload_size_check
from trial.selectors import trial_list, trials_for


class _TrialForm(PlainMessages, forms.Form):
    """A form whose trial is one of those whose data the user manages (the shown one first)."""

    trial = forms.ModelChoiceField(queryset=trial_list().none(), empty_label=None)

    def __init__(self, *args: Any, user: AnyUser, current: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["trial"]
        field.queryset = trials_for(user, Role.DATA_MANAGER, Role.TRIAL_MANAGER)  # type: ignore[attr-defined]
        if current is not None:
            field.initial = current.pk


class UploadForm(_TrialForm):
    extract = forms.FileField(
        label="CSV extract",
        help_text="A CSV file saved as UTF-8, with the six columns below named on its first line "
        "(in any order; commas or semicolons between values).",
    )

    def clean_extract(self) -> UploadedFile:
        extract: UploadedFile = self.cleaned_data["extract"]
        try:  # a body without a declared length (ASGI, chunked) is checked here, once received
            upload_size_check(size=extract.size or 0)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return extract


class RecordForm(_TrialForm):
    record_id = forms.CharField(max_length=100, label="Record id in the records system")
    person_id = forms.CharField(max_length=20, label="PNC ID", help_text="e.g. 14/0123456D")
    offence_date = forms.DateField(widget=DatePickerInput(), label="Offence date")
    offence_code = forms.CharField(max_length=40, help_text="Home Office code, e.g. 105/01")
    victim_relationship = forms.ChoiceField(choices=VictimRelationship.choices)
    record_status = forms.ChoiceField(choices=RecordStatus.choices)
