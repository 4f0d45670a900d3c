"""The researcher's "request a report" form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from common.forms import DatePickerInput, PlainMessages
from reports.models import ReportType
from trial.selectors import trial_list

if TYPE_CHECKING:
    from trial.models import Trial


class ReportRequestForm(PlainMessages, forms.Form):
    trial = forms.ModelChoiceField(queryset=trial_list().none(), empty_label=None)
    window_months = forms.IntegerField(
        label="Follow-up window (months)", min_value=1, max_value=240, initial=12
    )
    data_cut = forms.DateField(
        label="Data cut",
        widget=DatePickerInput(),
        help_text="Snapshots frozen on or before this day are analysed.",
    )
    report_type = forms.ChoiceField(
        label="Report",
        choices=ReportType.choices,
        initial=ReportType.INTERIM,
        widget=forms.RadioSelect,
    )
    blinded = forms.BooleanField(
        label="Blinded (arms labelled A and B, for a data monitoring committee)",
        required=False,
        initial=True,  # an interim look is blinded unless the committee says why not
    )
    # Asked of a committee member who unblinds an interim look; the service decides when.
    justification = forms.CharField(
        label="Justification for unblinding",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "An unblinded interim report is for the data monitoring committee only: "
            "say why the committee needs the arms named (at least 20 characters). It is audited."
        ),
    )

    def __init__(
        self, *args: Any, trials: QuerySet[Trial], current: Trial | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trial"].queryset = trials  # type: ignore[attr-defined]
        if current is not None:
            self.fields["trial"].initial = current.pk
        self.fields["data_cut"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_action = reverse("reports:request")
        self.helper.layout = Layout(
            Field("trial"),
            Field("window_months"),
            Field("data_cut"),
            InlineRadios("report_type"),
            Field("blinded"),
            Div(Field("justification"), data_shown_unless_checked="id_blinded"),
            Submit("submit", "Request the report"),
        )
