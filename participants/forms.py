"""Forms of the officer's pages: field types and per-field checks; the services decide the rest."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, Submit
from django import forms
from django.forms.utils import pretty_name
from django.utils import timezone

from common.forms import DatePickerInput
from common.forms import PlainMessages as BasePlainMessages
from common.models import PoliceArea
from participants.models import (
    Admission,
    ConsentDecision,
    ConsentMethod,
    DashRisk,
    OffenceType,
    Participant,
    Relationship,
    SafetyEventKind,
    Sex,
)
from participants.services import (
    ConsentInput,
    ScreeningInput,
    VictimInput,
    consent_problems,
    screening_problems,
)
from trial.selectors import trial_list

YES_NO = [("yes", "Yes"), ("no", "No")]


def pick(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Start a list with an empty choice: a preselected answer could pass unread."""
    return [("", "Choose…"), *choices]


def yes_no(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """A required yes/no question: a checkbox would let 'not answered' pass as 'no'."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DatePickerInput(),
    )


# What a missing answer says, next to its field and in the error summary alike: the summary
# shows the message alone, so "This field is required." would not say which.
MISSING = {
    "trial": "Choose the trial",
    "police_area": "Choose the police area",
    "custody_reference": "Enter the custody reference",
    "given_name": "Enter the offender's given name",
    "family_name": "Enter the offender's family name",
    "date_of_birth": "Enter the offender's date of birth",
    "sex": "Choose the offender's sex",
    "pnc_id": "Enter the PNC ID",
    "interpreter_needed": "Say whether an interpreter is needed",
    "appropriate_adult_needed": "Say whether an Appropriate Adult is needed",
    "offence_type": "Choose the offence",
    "offence_date": "Enter the date of the offence",
    "arrest_date": "Enter the date of arrest",
    "admission": "Choose whether the offence was admitted",
    "first_domestic_offence": "Say whether this is his first domestic-abuse offence",
    "dash_risk": "Choose the DASH risk level",
    "on_bail_or_order": "Say whether he is on bail, or subject to a court order or community "
    "sentence",
    "victim_relationship": "Choose the victim's relationship to the offender",
    "caution_offered": "Say whether a conditional caution is offered",
    "contacted": "Say whether the victim has been contacted",
    "risk_raised": "Say whether the victim raised a specific risk",
    "decision": "Choose the victim's decision",
    "decided_on": "Enter the date of the decision",
    "method": "Choose how the decision was obtained",
    "caution_given_on": "Enter the date the conditional caution is given",
    "withdrawn_on": "Enter the date consent was withdrawn",
}


class PlainMessages(BasePlainMessages, forms.Form):
    """A participants form: its missing answers in the officer's words."""

    missing = MISSING


class TokenForm(PlainMessages):
    """Carries the one-time token that makes a resubmitted form harmless."""

    token = forms.UUIDField(widget=forms.HiddenInput)


def novalidate(helper: FormHelper) -> FormHelper:
    """Leave every check to the server, so all problems come at once in the error summary."""
    helper.attrs = {"novalidate": ""}
    return helper


class ScreeningAnswersForm(TokenForm):
    """The screening answers, checked all in one pass (new screenings and corrections)."""

    given_name = forms.CharField(label="Given name(s)", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    date_of_birth = date_field("Date of birth")
    sex = forms.ChoiceField(choices=Sex.choices, widget=forms.RadioSelect)
    pnc_id = forms.CharField(label="PNC ID", max_length=20, help_text="e.g. 14/0123456D")
    custody_reference = forms.CharField(max_length=40, help_text="e.g. 44/12345/26")
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False, max_length=254)
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )
    support_needs = forms.CharField(
        label="Needs the workshop provider should know",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )
    interpreter_needed = yes_no("Interpreter needed?")
    appropriate_adult_needed = yes_no("Appropriate Adult needed?")
    offence_type = forms.ChoiceField(choices=pick(OffenceType.choices))
    offence_date = date_field("Date of the offence")
    arrest_date = date_field("Date of arrest")
    admission = forms.ChoiceField(label="Admission", choices=pick(Admission.choices))
    first_domestic_offence = yes_no("First domestic-abuse offence?")
    last_violence_on = date_field(
        "Latest conviction or caution for violence",
        required=False,
        help_text="Leave empty if there is none.",
    )
    dash_risk = forms.ChoiceField(
        label="DASH risk level", choices=DashRisk.choices, widget=forms.RadioSelect
    )
    on_bail_or_order = yes_no("On bail, or subject to a court order or community sentence?")
    victim_relationship = forms.ChoiceField(
        label="Victim's relationship to the offender", choices=pick(Relationship.choices)
    )
    caution_offered = yes_no("Decision to offer a conditional caution?")

    # The order of the page, so the error summary lists problems in the order of the fields.
    ANSWER_ORDER = [
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "pnc_id",
        "interpreter_needed",
        "appropriate_adult_needed",
        "phone",
        "email",
        "address",
        "support_needs",
        "offence_type",
        "offence_date",
        "arrest_date",
        "admission",
        "first_domestic_offence",
        "last_violence_on",
        "dash_risk",
        "on_bail_or_order",
        "victim_relationship",
        "caution_offered",
    ]

    def answer_fieldsets(self) -> list[Fieldset]:
        """The answers in the order the officer reads them off the custody record."""
        return [
            Fieldset(
                "Offender",
                "given_name",
                "family_name",
                Field("date_of_birth"),
                InlineRadios("sex"),
                "pnc_id",
                InlineRadios("interpreter_needed"),
                InlineRadios("appropriate_adult_needed"),
            ),
            Fieldset("Contact (for workshop invitations)", "phone", "email", "address"),
            Fieldset("Support", "support_needs"),
            Fieldset("Offence", "offence_type", "offence_date", "arrest_date", "admission"),
            Fieldset(
                "History and risk",
                InlineRadios("first_domestic_offence"),
                "last_violence_on",
                InlineRadios("dash_risk"),
                InlineRadios("on_bail_or_order"),
            ),
            Fieldset("Victim and decision", "victim_relationship", InlineRadios("caution_offered")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Every check runs on what could be read, so a wrong PNC ID hides nothing else.
        problems = screening_problems(
            date_of_birth=data.get("date_of_birth"),
            offence_date=data.get("offence_date"),
            arrest_date=data.get("arrest_date"),
            last_violence_on=data.get("last_violence_on"),
            custody_reference=data.get("custody_reference"),
            pnc_id=data.get("pnc_id"),
            today=timezone.localdate(),
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def to_input(self) -> ScreeningInput:
        data = self.cleaned_data
        names = ScreeningInput.__dataclass_fields__
        return ScreeningInput(**{k: v for k, v in data.items() if k in names})


class ScreeningForm(ScreeningAnswersForm):
    trial = forms.ModelChoiceField(queryset=trial_list().none(), empty_label=None)
    police_area = forms.ModelChoiceField(queryset=PoliceArea.objects.all(), empty_label=None)

    field_order = [
        "token",
        "trial",
        "police_area",
        "custody_reference",
        *ScreeningAnswersForm.ANSWER_ORDER,
    ]

    def __init__(self, *args: Any, trials: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trial"].queryset = trials  # type: ignore[attr-defined]
        self.fields["police_area"].queryset = areas  # type: ignore[attr-defined]
        self.helper = novalidate(FormHelper())
        self.helper.form_class = "submit-once"
        self.helper.layout = Layout(
            "token",
            Fieldset("Trial", "trial", "police_area", "custody_reference"),
            *self.answer_fieldsets(),
            Submit("save", "Record screening and check eligibility"),
        )


class CorrectionForm(ScreeningAnswersForm):
    """The screening answers again, prefilled, with the reason for the correction."""

    reason = forms.CharField(
        label="Why are the answers corrected?",
        help_text=(
            "For example: the DASH risk level was clicked as high by mistake. "
            "Do not write names, dates of birth or PNC IDs here."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    field_order = ["token", "custody_reference", *ScreeningAnswersForm.ANSWER_ORDER, "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Say why the answers are corrected."
        self.helper = novalidate(FormHelper())
        self.helper.form_class = "submit-once"
        self.helper.layout = Layout(
            "token",
            Fieldset("Custody record", "custody_reference"),
            *self.answer_fieldsets(),
            Fieldset("Reason", "reason"),
            Submit("save", "Save the corrected answers and check eligibility again"),
        )


def answer_labels() -> dict[str, str]:
    """Return the label of each screening answer, to name what a correction changed."""
    return {
        name: str(field.label or pretty_name(name))
        for name, field in CorrectionForm.base_fields.items()
    }


def correction_initial(case: Participant) -> dict[str, Any]:
    """Prefill the correction form with the case's answers (removed personal ones stay empty)."""
    initial: dict[str, Any] = {"token": uuid.uuid4()}
    for name in ScreeningInput.__dataclass_fields__:
        value = getattr(case, name)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        initial[name] = value
    return initial


class ConsentForm(TokenForm):
    given_name = forms.CharField(label="Victim's given name(s)", max_length=100, required=False)
    family_name = forms.CharField(label="Victim's family name", max_length=100, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False, max_length=254)
    address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )
    contacted = yes_no("Has the victim been contacted?")
    contacted_on = date_field("Date of contact", required=False)
    risk_raised = yes_no("Did the victim raise a specific risk?")
    risk_details = forms.CharField(
        label="The risk raised",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    decision = forms.ChoiceField(
        label="The victim's decision", choices=ConsentDecision.choices, widget=forms.RadioSelect
    )
    decided_on = date_field("Date of the decision")
    method = forms.ChoiceField(label="How it was obtained", choices=pick(ConsentMethod.choices))

    def __init__(self, *args: Any, offence_date: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offence_date = offence_date
        self.helper = novalidate(FormHelper())
        self.helper.form_class = "submit-once"
        self.helper.layout = Layout(
            "token",
            Fieldset("Victim", "given_name", "family_name", "phone", "email", "address"),
            Fieldset(
                "Contact and safety",
                InlineRadios("contacted"),
                "contacted_on",
                InlineRadios("risk_raised"),
                "risk_details",
            ),
            Fieldset("Consent", "decision", "decided_on", "method"),
            Submit("save", "Record the victim's decision"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Every check runs on what could be read: all the problems come in one round.
        decision = data.get("decision")
        problems = consent_problems(
            contacted=data.get("contacted"),
            contacted_on=data.get("contacted_on"),
            risk_raised=data.get("risk_raised"),
            risk_details=data.get("risk_details", ""),
            decision_given=None if decision is None else decision == ConsentDecision.GIVEN,
            decided_on=data.get("decided_on"),
            offence_date=self.offence_date,
            today=timezone.localdate(),
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def to_victim(self) -> VictimInput:
        data = self.cleaned_data
        names = VictimInput.__dataclass_fields__
        return VictimInput(**{k: v for k, v in data.items() if k in names})

    def to_consent(self) -> ConsentInput:
        data = self.cleaned_data
        return ConsentInput(
            decision=data["decision"], decided_on=data["decided_on"], method=data["method"]
        )


class EnrolForm(TokenForm):
    caution_given_on = date_field(
        "Date the conditional caution is given",
        help_text="The workshop deadline and the caution's compliance period count from it.",
    )


class WithdrawForm(PlainMessages):
    withdrawn_on = date_field("Date consent was withdrawn")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Give the reason for the withdrawal."
        self.helper = novalidate(FormHelper())
        self.helper.add_input(Submit("save", "Record the withdrawal", css_class="btn-warning"))


class SafetyEventForm(PlainMessages):
    """A victim-safety event the officer learnt of: when, what, and notes kept encrypted."""

    missing = {
        **MISSING,
        "occurred_on": "Enter the date of the event",
        "kind": "Choose what happened",
    }

    occurred_on = date_field("Date of the event")
    kind = forms.ChoiceField(
        label="What happened", choices=SafetyEventKind.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the officer should know later. Kept encrypted; never in reports.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = novalidate(FormHelper())
        self.helper.add_input(Submit("save", "Record the event", css_class="btn-primary"))


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Trial ID or custody reference", max_length=40, required=False, strip=True
    )
