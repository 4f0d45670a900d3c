"""Forms of the data manager's pages."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from common.exceptions import DomainError
from common.forms import DatePickerInput
from outcomes.models import RecordStatus, VictimRelationship
from outcomes.services import upload_size_check
from trial.selectors import trial_list


class UploadForm(forms.Form):
    trial = forms.ModelChoiceField(queryset=trial_list(), empty_label=None)
    extract = forms.FileField(
        label="CSV extract",
        help_text="UTF-8, comma or semicolon separated, with the documented header line.",
    )

    def clean_extract(self) -> UploadedFile:
        extract: UploadedFile = self.cleaned_data["extract"]
        try:  # a body without a declared length (ASGI, chunked) is checked here, once received
            upload_size_check(size=extract.size or 0)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return extract


class RecordForm(forms.Form):
    trial = forms.ModelChoiceField(queryset=trial_list(), empty_label=None)
    record_id = forms.CharField(max_length=100, label="Record id in the records system")
    person_id = forms.CharField(max_length=20, label="PNC ID", help_text="e.g. 14/0123456D")
    offence_date = forms.DateField(widget=DatePickerInput(), label="Offence date")
    offence_code = forms.CharField(max_length=40, help_text="Home Office code, e.g. 105/01")
    victim_relationship = forms.ChoiceField(choices=VictimRelationship.choices)
    record_status = forms.ChoiceField(choices=RecordStatus.choices)
