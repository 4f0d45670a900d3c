"""Forms of the trial manager's pages; they parse text, the services decide what is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms import formset_factory

from common.forms import DatePickerInput, PlainMessages
from trial.models import DesignVersion, PostRandomisationKind, Stratum, Trial
from trial.selectors import AREA, area_names, stratum_label
from trial.services import SETTINGS_FIELDS, ArmSpec

LIST_SPLIT = re.compile(r"[\s,]+")
# Settings a form may leave blank: the trial keeps its value (a new trial, the default).
OPTIONAL_SETTINGS = ("retention_months", "screening_correction_days", "deadline_limit_weeks")


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


# What each setting means, in the words of the people who set it (the model's names are code).
SETTING_LABELS = {
    "title": "Trial title",
    "research_email": "Research team's e-mail address",
    "workshop_gap_days": "Usual gap between part 1 and part 2 (days)",
    "workshop_gap_min_days": "Shortest gap between part 1 and part 2 (days)",
    "workshop_gap_max_days": "Longest gap between part 1 and part 2 (days)",
    "cycle_interval_days": "Days from the start of one workshop cycle to the next",
    "session_hours": "Length of a workshop session (hours)",
    "session_capacity": "Most men in one session",
    "compliance_weeks": "Weeks a man has to meet his caution's conditions",
    "reminder_days_before": "Days before a session that the reminder is sent",
    "retention_months": "Months personal data are kept after the trial closes",
}
SETTING_HELP = {
    "title": "The full name shown on pages and reports.",
    "research_email": "Every allocation is e-mailed here as the research team's own record. "
    "Leave it blank to send none.",
    "workshop_gap_days": "Part 2 is offered this many days after part 1, e.g. 28 (four weeks).",
    "workshop_gap_min_days": "Counsellors cannot plan part 2 sooner than this after part 1.",
    "workshop_gap_max_days": "Counsellors cannot plan part 2 later than this after part 1.",
    "cycle_interval_days": "A new cycle (part 1, then part 2) starts this often, e.g. 35 days.",
    "session_hours": "Each part lasts this long, e.g. 5.",
    "session_capacity": "Places in one session; counsellors can change it for a session.",
    "compliance_weeks": "Counted from the day of the caution, e.g. 16. Workshops must end by then.",
    "reminder_days_before": "Men booked into a session are reminded this many days before it.",
    "retention_months": "Names, contact details, dates of birth and PNC IDs are erased this long "
    "after the trial closes; the pseudonymised data stay. Leave blank to keep the current period "
    "(a new trial: 72 months, six years).",
}


class TrialSettingsForm(PlainMessages, forms.ModelForm):
    follow_up = forms.CharField(
        label="Follow-up periods (months after randomisation)",
        help_text="When re-offending is counted for each man, e.g. 12, 24.",
        initial="12, 24",
    )

    class Meta:
        model = Trial
        fields = [f for f in SETTINGS_FIELDS if f != "follow_up_months"]
        labels = SETTING_LABELS
        help_texts = SETTING_HELP

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Blank keeps the trial's value (a new trial gets the model's default).
        for name in OPTIONAL_SETTINGS:
            self.fields[name].required = False
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
        for name in OPTIONAL_SETTINGS:
            if data.get(name) is None:
                data.pop(name, None)
        data["follow_up_months"] = self.cleaned_data["follow_up"]
        return data

    def _post_clean(self) -> None:
        # The service validates and saves; the form must not touch the instance.
        pass


class TrialCreateForm(TrialSettingsForm):
    code = forms.SlugField(
        max_length=20,
        label="Trial code",
        help_text="A short name at the start of every trial ID, e.g. CARA gives CARA-0042. "
        "Letters, digits and hyphens.",
    )

    class Meta(TrialSettingsForm.Meta):
        fields = TrialSettingsForm.Meta.fields

    field_order = ["code", "title", "research_email", "follow_up"]


class ArmForm(PlainMessages, forms.Form):
    code = forms.SlugField(max_length=30, required=False, label="Short code")
    name = forms.CharField(max_length=100, required=False)
    ratio = forms.IntegerField(
        min_value=1, max_value=20, initial=1, required=False, label="Share (ratio)"
    )
    is_intervention = forms.BooleanField(required=False, label="Booked into workshops")


class BaseArmFormSet(forms.BaseFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        # Every row is read, even one left as pre-filled: blank codes are skipped by arms_from.
        kwargs["empty_permitted"] = False
        return super()._construct_form(i, **kwargs)  # type: ignore[misc]


ArmFormSet = formset_factory(ArmForm, formset=BaseArmFormSet, extra=2, max_num=8)


class DesignForm(PlainMessages, forms.Form):
    block_multipliers = forms.CharField(
        initial="1, 2, 3",
        label="Block sizes, as multiples of the ratio",
        help_text="Men are allocated in small shuffled blocks that hold each arm in its ratio, "
        "so the arms stay balanced and nobody can tell what comes next. Each block's size is "
        "picked at random from these multiples of the shares added up: 1, 2, 3 with a 1:1 ratio "
        "gives blocks of 2, 4 or 6.",
    )
    strata_factors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Keep the arms balanced within each (strata)",
        help_text='One line a factor: its name, a colon, then its values. "area: southampton, '
        'portsmouth" balances the arms within each area (the codes of the police areas). '
        "Leave blank to balance over the whole trial only.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Reason for the change",
        help_text="Needed once recruiting has started: a change makes a new design version.",
    )

    def clean_block_multipliers(self) -> list[int]:
        return parse_ints(self.cleaned_data["block_multipliers"], "the block sizes")

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


class CorrectionForm(PlainMessages, forms.Form):
    participant_key = forms.CharField(label="Trial ID", max_length=40, help_text="e.g. CARA-0042")
    kind = forms.ChoiceField(label="What happened", choices=PostRandomisationKind.choices)
    occurred_on = forms.DateField(label="Date", widget=DatePickerInput())
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class StratumChoiceField(forms.ModelChoiceField):
    areas: dict[str, str] = {}  # replaced per form: police-area code -> name

    def label_from_instance(self, obj: Any) -> str:
        return f"{stratum_label(obj.values, self.areas)} (design version {obj.design.number})"


class SequenceRequestForm(PlainMessages, forms.Form):
    stratum = StratumChoiceField(queryset=Stratum.objects.none(), label="Group (stratum)")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why you need to see it",
        help_text="Recorded in the audit trail with your name.",
    )

    def __init__(self, *args: Any, trial: Trial, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stratum"]
        assert isinstance(field, StratumChoiceField)
        field.queryset = (
            Stratum.objects.filter(trial=trial).exclude(seed="").select_related("design")
        )
        field.areas = area_names(str(s.values.get(AREA, "")) for s in field.queryset)


class ExportForm(PlainMessages, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why you need the export",
        help_text="Recorded in the audit trail with your name.",
    )
