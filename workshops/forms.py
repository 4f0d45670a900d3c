"""Forms of the workshop pages: field types and per-field checks; the services decide the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet

from common.forms import DatePickerInput, PlainMessages
from common.models import PoliceArea, Provider, User
from trial.selectors import trial_list
from workshops.models import Attendance, BreachOutcome, Cycle, DeadlineOutcome, LikertAnswer
from workshops.selectors import ITEMS

if TYPE_CHECKING:
    from trial.models import Trial


class CycleForm(PlainMessages, forms.Form):
    missing = {"part_1_starts_at": "Enter the date and time part 1 starts"}

    trial = forms.ModelChoiceField(queryset=trial_list().none(), empty_label=None)
    part_1_starts_at = forms.DateTimeField(
        label="Part 1 starts",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    gap_days = forms.IntegerField(
        label="Days from part 1 to part 2", min_value=1, max_value=120, required=False
    )
    hours = forms.DecimalField(
        label="Length of each session (hours)", max_digits=4, decimal_places=1, required=False
    )
    venue = forms.CharField(max_length=200)
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=50, required=False)
    leads = forms.ModelMultipleChoiceField(
        label="Lead counsellors", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    count = forms.IntegerField(
        label="Number of cycles",
        min_value=1,
        max_value=26,
        initial=1,
        help_text="More than one creates a run of cycles at a fixed rhythm.",
    )
    interval_days = forms.IntegerField(
        label="Days between cycle starts", min_value=7, max_value=180, required=False
    )

    def __init__(
        self, *args: Any, trials: QuerySet[Trial], counsellors: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trial"].queryset = trials  # type: ignore[attr-defined]
        self.fields["leads"].queryset = counsellors  # type: ignore[attr-defined]
        self.fields["leads"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]


class BookingForm(PlainMessages, forms.Form):
    cycle = forms.ModelChoiceField(queryset=Cycle.objects.none(), empty_label=None)
    restart = forms.BooleanField(
        label="Book both parts again (his part 1 is too long ago for this part 2)",
        required=False,
    )

    def __init__(
        self, *args: Any, cycles: QuerySet[Cycle], restart: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not restart:  # only a man with part 1 attended can be booked into part 2 alone
            del self.fields["restart"]
        self.fields["cycle"].queryset = cycles  # type: ignore[attr-defined]
        self.fields["cycle"].label_from_instance = _cycle_label  # type: ignore[attr-defined]


def _cycle_label(cycle: Cycle) -> str:
    from django.utils import timezone

    parts = sorted(cycle.sessions.all(), key=lambda s: s.part)
    dates = " and ".join(f"{timezone.localtime(s.starts_at):%a %d/%m/%Y}" for s in parts)
    return f"Cycle {cycle.number}: {dates}"


class AttendanceForm(PlainMessages, forms.Form):
    REASON_MAX = 1000

    attendance = forms.ChoiceField(
        choices=Attendance.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose attended, did not attend or left early.",
            "invalid_choice": "Choose attended, did not attend or left early.",
        },
    )
    attendance_reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=REASON_MAX,
        error_messages={"max_length": f"Keep the reason under {REASON_MAX} characters."},
    )
    reason_accepted = forms.BooleanField(label="The reason is accepted (no breach)", required=False)


class AttendanceCorrectionForm(AttendanceForm):
    why = forms.CharField(
        label="Why the record was wrong",
        max_length=AttendanceForm.REASON_MAX,
        error_messages={
            "required": "Say why the recorded attendance was wrong.",
            "max_length": f"Keep it under {AttendanceForm.REASON_MAX} characters.",
        },
    )


class CancelForm(PlainMessages, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
    move_to = forms.ModelChoiceField(
        label="Move the booked men to",
        queryset=Cycle.objects.none(),
        required=False,
        empty_label="Nowhere: flag them for rebooking",
    )

    def __init__(self, *args: Any, cycles: QuerySet[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = cycles  # type: ignore[attr-defined]
        self.fields["move_to"].label_from_instance = _cycle_label  # type: ignore[attr-defined]


class FeedbackForm(PlainMessages, forms.Form):
    comments = forms.CharField(
        label="In his own words",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in ITEMS:
            self.fields[item.code] = forms.TypedChoiceField(
                label=item.text,
                choices=LikertAnswer.choices,
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.order_fields([item.code for item in ITEMS] + ["comments"])

    def answers(self) -> dict[str, int]:
        return {item.code: self.cleaned_data[item.code] for item in ITEMS}


class BreachDecisionForm(PlainMessages, forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=BreachOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what follows the breach."},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, rebook: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not rebook:  # no cycle can end by his deadline: rebooking would be a dead end
            self.fields["outcome"].choices = [  # type: ignore[attr-defined]
                c for c in BreachOutcome.choices if c[0] != BreachOutcome.REBOOKED
            ]
            self.fields["outcome"].error_messages["required"] = (
                "Choose prosecution or no further action."
            )


class DeadlineExtendForm(PlainMessages, forms.Form):
    until = forms.DateField(
        label="New deadline",
        widget=DatePickerInput(),
        error_messages={
            "required": "Give the new deadline.",
            "invalid": "Give the new deadline as a date, like 27/03/2027.",
        },
    )
    reason = forms.CharField(
        label="Why the deadline is extended",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Say why the deadline is extended."},
    )


class DeadlineDecisionForm(PlainMessages, forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[c for c in DeadlineOutcome.choices if c[0] != DeadlineOutcome.EXTENDED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose prosecution or no further action."},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class RegisterRowForm(AttendanceForm):
    """One man's row of the session's register form; a blank row is left to record later."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendance"].required = False

    @property
    def blank(self) -> bool:
        """Nothing entered in the row (a reason without a choice is refused, not skipped)."""
        names = ("attendance", "attendance_reason", "reason_accepted")
        return not any(str(self.data.get(self.add_prefix(n), "")).strip() for n in names)


class DeliveryForm(PlainMessages, forms.Form):
    police_area = forms.ModelChoiceField(
        queryset=PoliceArea.objects.none(), widget=forms.HiddenInput
    )
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), empty_label=None)

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[PoliceArea],
        providers: QuerySet[Provider],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["police_area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
