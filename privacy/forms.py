"""The audit page's search, and the subject access request's lookup."""

from __future__ import annotations

from typing import Any

from django import forms

from common.audit_rules import TRIAL_ID
from common.forms import DatePickerInput, PlainMessages


class AuditSearchForm(forms.Form):
    """Filters of the audit page; a custody reference is resolved to trial IDs before the URL."""

    person = forms.CharField(
        required=False,
        max_length=200,
        label="Case",
        help_text="A trial ID (CARA-0001) or the case's custody reference.",
    )
    user = forms.CharField(required=False, max_length=150, label="User name")
    action = forms.CharField(
        required=False, max_length=80, help_text="e.g. participant.view or allocation.claim"
    )
    disclosures = forms.BooleanField(required=False, label="Only disclosures (downloads)")
    trial = forms.CharField(required=False, max_length=40, label="Trial code")
    since = forms.DateField(required=False, widget=DatePickerInput(), label="From")
    until = forms.DateField(required=False, widget=DatePickerInput(), label="To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data


def trial_ids_in(text: str) -> tuple[str, ...] | None:
    """Return the trial IDs listed in a search (comma-separated), or None when it is not that."""
    parts = tuple(p.strip().upper() for p in text.split(",") if p.strip())
    return parts if parts and all(TRIAL_ID.match(p) for p in parts) else None


class SubjectAccessForm(PlainMessages, forms.Form):
    """The case a subject access request is about."""

    person = forms.CharField(
        max_length=60,
        label="Trial ID or custody reference",
        help_text="The request names the person; find the case's trial ID or custody reference.",
    )
