"""The analysis plan's form: every answer of a version, and the reason for a change."""

from __future__ import annotations

from typing import Any

from django import forms

from common.forms import PlainMessages
from plans.models import Outcome, PowerBasis, Sensitivity, Sided, Spending
from plans.services import PLAN_FIELDS

POWER_INPUTS = ("control_mean", "intervention_mean", "sd", "control_rate", "intervention_rate")


class PlanForm(PlainMessages, forms.Form):
    primary_outcome = forms.ChoiceField(
        label="Primary outcome", choices=Outcome.choices, widget=forms.RadioSelect
    )
    secondary_outcomes = forms.MultipleChoiceField(
        label="Secondary outcomes",
        choices=Outcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Reported in the order listed here, after the primary outcome.",
    )
    per_protocol = forms.BooleanField(required=False, label="Per-protocol estimate (secondary)")
    cace = forms.BooleanField(
        required=False, label="Complier average causal effect, CACE (secondary)"
    )
    alpha = forms.FloatField(label="Significance level (alpha)", initial=0.05)
    sided = forms.ChoiceField(
        label="Sidedness of the test", choices=Sided.choices, initial=Sided.TWO
    )
    planned_n = forms.IntegerField(
        label="Planned sample size", help_text="Men to randomise, both arms together."
    )
    power_basis = forms.ChoiceField(
        label="Sample size calculated on", choices=PowerBasis.choices, widget=forms.RadioSelect
    )
    control_mean = forms.FloatField(required=False, label="Expected control arm mean")
    intervention_mean = forms.FloatField(required=False, label="Expected workshop arm mean")
    sd = forms.FloatField(required=False, label="Expected standard deviation")
    control_rate = forms.FloatField(
        required=False, label="Expected control arm rate", help_text="A proportion, e.g. 0.3."
    )
    intervention_rate = forms.FloatField(required=False, label="Expected workshop arm rate")
    power_target = forms.FloatField(label="Target power", initial=0.8)
    interim_looks = forms.IntegerField(label="Interim looks", initial=0)
    spending = forms.ChoiceField(
        label="Alpha spending function", choices=Spending.choices, initial=Spending.NONE
    )
    min_per_arm = forms.IntegerField(
        label="Minimum analysed per arm",
        initial=10,
        help_text="Below this, the report shows no estimates and says why.",
    )
    sensitivity = forms.MultipleChoiceField(
        label="Sensitivity analyses",
        choices=Sensitivity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    registration_id = forms.CharField(
        required=False, max_length=40, label="Registration ID", help_text="e.g. ISRCTN12345678."
    )
    registration_url = forms.CharField(required=False, label="Registration URL")
    funder = forms.CharField(required=False, max_length=200)
    protocol_version = forms.CharField(required=False, max_length=40, label="Protocol version")
    data_sharing = forms.CharField(
        required=False,
        label="Data-sharing statement",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        required=False,
        label="Why the plan changes",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for every version after the first; the report shows changes made "
        "after an unblinded report.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The summary shows each message alone: a number that is no number names its answer.
        for name, field in self.fields.items():
            label = str(field.label or name.replace("_", " "))
            label = label[0].lower() + label[1:]
            if isinstance(field, forms.FloatField):  # before IntegerField: FloatField is one
                field.error_messages["invalid"] = f"Enter the {label} as a number."
            elif isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"Enter the {label} as a whole number."

    def values(self) -> dict[str, Any]:
        """Return the plan's answers as plan_save takes them (the reason apart)."""
        data = self.cleaned_data
        return {name: data[name] for name in PLAN_FIELDS if name in data}
