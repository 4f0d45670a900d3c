"""Forms of the trial manager's pages; they parse text, the services decide what is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms import formset_factory

from common.forms import DatePickerInput
from trial.models import DesignVersion, PostRandomisationKind, Stratum, Trial
from trial.services import SETTINGS_FIELDS, ArmSpec

LIST_SPLIT = re.compile(r"[\s,]+")


def parse_ints(text: str, field: str) -> list[int]:
    """Parse "1, 2, 3" into [1, 2, 3]."""
    try:
        return [int(part) for part in LIST_SPLIT.split(text.strip()) if part]
    except ValueError as exc:
        raise forms.ValidationError(f"Give whole numbers separated by commas for {field}.") from exc


def parse_factors(text: str) -> dict[str, list[str]]:
    """Parse one "factor: value, value" line per stratification factor."""
    factors: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, values = line.partition(":")
        if not sep:
            raise forms.ValidationError(f'Line {number}: write "factor: value, value".')
        name = name.strip()
        if name in factors:
            raise forms.ValidationError(f"Line {number}: {name} is listed twice.")
        factors[name] = [v for v in LIST_SPLIT.split(values.strip()) if v]
    return factors


def factors_text(factors: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}: {', '.join(values)}" for name, values in factors.items())


class TrialSettingsForm(forms.ModelForm):
    follow_up = forms.CharField(
        label="Follow-up windows (months)", help_text="e.g. 12, 24", initial="12, 24"
    )

    class Meta:
        model = Trial
        fields = [f for f in SETTINGS_FIELDS if f != "follow_up_months"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Blank keeps the trial's period (a new trial: the model's default, six years).
        self.fields["retention_months"].required = False
        self.fields["deadline_limit_weeks"].required = False  # blank: the default, 20 weeks
        if self.instance.pk:
            self.initial["follow_up"] = ", ".join(str(m) for m in self.instance.follow_up_months)

    def clean_follow_up(self) -> list[int]:
        return parse_ints(self.cleaned_data["follow_up"], "the follow-up windows")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weeks, limit = data.get("compliance_weeks"), data.get("deadline_limit_weeks")
        # An extension never shortens the deadline enrolment set.
        if weeks is not None and limit is not None and limit < weeks:
            self.add_error(
                "deadline_limit_weeks",
                f"The latest extended deadline cannot come before the usual one ({weeks} weeks).",
            )
        return data

    def values(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        for optional in ("retention_months", "deadline_limit_weeks"):
            if data.get(optional) is None:
                data.pop(optional, None)
        data["follow_up_months"] = self.cleaned_data["follow_up"]
        return data

    def _post_clean(self) -> None:
        # The service validates and saves; the form must not touch the instance.
        pass


class TrialCreateForm(TrialSettingsForm):
    code = forms.SlugField(max_length=20, help_text="Short code used in trial IDs, e.g. CARA.")

    class Meta(TrialSettingsForm.Meta):
        fields = TrialSettingsForm.Meta.fields

    field_order = ["code", "title", "research_email", "follow_up"]


class ArmForm(forms.Form):
    code = forms.SlugField(max_length=30, required=False)
    name = forms.CharField(max_length=100, required=False)
    ratio = forms.IntegerField(min_value=1, max_value=20, initial=1, required=False)
    is_intervention = forms.BooleanField(required=False, label="Intervention")


class BaseArmFormSet(forms.BaseFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        # Every row is read, even one left as pre-filled: blank codes are skipped by arms_from.
        kwargs["empty_permitted"] = False
        return super()._construct_form(i, **kwargs)  # type: ignore[misc]


ArmFormSet = formset_factory(ArmForm, formset=BaseArmFormSet, extra=2, max_num=8)


class DesignForm(forms.Form):
    block_multipliers = forms.CharField(
        initial="1, 2, 3",
        help_text="Block sizes as multiples of the ratio sum: 1, 2, 3 at 1:1 gives 2, 4 and 6.",
    )
    strata_factors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text='One factor a line: "area: southampton, portsmouth".',
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed once recruiting has started: a change makes a new design version.",
    )

    def clean_block_multipliers(self) -> list[int]:
        return parse_ints(self.cleaned_data["block_multipliers"], "the block multipliers")

    def clean_strata_factors(self) -> dict[str, list[str]]:
        return parse_factors(self.cleaned_data["strata_factors"])


def design_initial(design: DesignVersion) -> dict[str, str]:
    return {
        "block_multipliers": ", ".join(str(m) for m in design.block_multipliers),
        "strata_factors": factors_text(design.strata_factors),
    }


def arms_from(formset: Any) -> list[ArmSpec]:
    """Return the arms typed into the formset; blank rows are ignored."""
    arms = []
    for row in formset.cleaned_data:
        if not row or not row.get("code"):
            continue
        arms.append(
            ArmSpec(
                code=row["code"],
                name=row.get("name") or row["code"],
                ratio=row.get("ratio") or 1,
                is_intervention=bool(row.get("is_intervention")),
            )
        )
    return arms


class CorrectionForm(forms.Form):
    participant_key = forms.CharField(label="Trial ID", max_length=40, help_text="e.g. CARA-0042")
    kind = forms.ChoiceField(label="What happened", choices=PostRandomisationKind.choices)
    occurred_on = forms.DateField(label="Date", widget=DatePickerInput())
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class StratumChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.key} (design v{obj.design.number})"


class SequenceRequestForm(forms.Form):
    stratum = StratumChoiceField(queryset=Stratum.objects.none())
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit trail with your name.",
    )

    def __init__(self, *args: Any, trial: Trial, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stratum"]
        assert isinstance(field, StratumChoiceField)
        field.queryset = (
            Stratum.objects.filter(trial=trial).exclude(seed="").select_related("design")
        )


class ExportForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit trail with your name.",
    )
