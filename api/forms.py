"""The tokens pages' forms: a personal token's name and life; a service token's system, scopes."""

from __future__ import annotations

from typing import Any

from django import forms

from api.models import Scope
from common.forms import PlainMessages
from common.models import Organisation, PoliceArea
from common.selectors import organisations, police_areas

LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("365", "A year")]


class PersonalTokenForm(PlainMessages, forms.Form):
    missing = {"name": "Enter a name for the token, such as the computer or script it is for"}

    name = forms.CharField(
        max_length=100,
        help_text="Such as the computer or script it is for: you will see it in the list.",
    )
    days = forms.TypedChoiceField(
        label="Expires after", choices=LIFETIMES, coerce=int, initial="90"
    )


class AreaChoiceField(forms.ModelChoiceField):
    """A police area named with its force: two forces may both have a "Central"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.force})"


class ServiceTokenForm(PlainMessages, forms.Form):
    """A trial manager's new service token: which system, whose, where, and what it may do."""

    missing = {
        "name": "Enter a name for the token, such as the system that will use it",
        "scopes": "Choose at least one thing the token may do",
    }

    name = forms.CharField(max_length=100, help_text="The system that will use it, e.g. Niche RMS.")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), help_text="Whose system it is."
    )
    scopes = forms.MultipleChoiceField(
        label="It may", choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    police_area = AreaChoiceField(
        label="Police area",
        queryset=PoliceArea.objects.none(),
        required=False,
        help_text="Screening and enrolment only: the token sees and enrols this area's cases, "
        "as an officer of the area does.",
    )
    days = forms.TypedChoiceField(
        label="Expires after", choices=LIFETIMES, coerce=int, initial="365"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        area_field = self.fields["police_area"]
        assert isinstance(org_field, forms.ModelChoiceField)
        assert isinstance(area_field, forms.ModelChoiceField)
        org_field.queryset = organisations()
        area_field.queryset = police_areas()
