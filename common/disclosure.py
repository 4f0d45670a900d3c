"""What a user says when personal or trial data leaves the application (DPA 2018 s.62).

A disclosure is logged with who, when, what (trial IDs, never names), to whom and why; the why is
chosen from the purposes a trial's data are disclosed for, or typed when none fits.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms

from common.forms import PlainMessages

PURPOSES = [
    ("", "Choose the purpose"),
    ("dmc_interim", "Interim analysis for the data monitoring committee"),
    ("final_analysis", "Final analysis by the research team"),
    ("trial_management", "Trial management and data quality"),
    ("subject_access", "Subject access request"),
    ("audit", "Audit, inspection or a data protection check"),
    ("legal", "Court, complaint or legal proceedings"),
    ("other", "Other: say why below"),
]
PURPOSE_LABELS = dict(PURPOSES)
# Every kind of disclosure_record, so "only disclosures" is an indexed IN, not a LIKE scan.
DISCLOSURE_ACTIONS = (
    "disclosure.report_pdf",
    "disclosure.report_dataset",
    "disclosure.subject_access",
    "disclosure.audit_export",
    "sequence.export",
)


class Disclosure(TypedDict):
    purpose: str
    recipient: str
    justification: str


class DisclosureForm(PlainMessages, forms.Form):
    """The purpose, recipient and justification asked before a download."""

    purpose = forms.ChoiceField(choices=PURPOSES, label="Why is this leaving the application?")
    recipient = forms.CharField(
        max_length=200,
        label="Who will receive it",
        help_text="A person, team or body, e.g. 'the trial statistician' or 'the DMC'.",
    )
    justification = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Justification",
        help_text="Needed when the purpose is 'Other'; recorded in the audit trail as you type it.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == "other" and not (data.get("justification") or "").strip():
            self.add_error("justification", "Say why: the purpose 'Other' needs a justification.")
        return data

    def disclosure(self) -> Disclosure:
        """Return the purpose, recipient and justification for disclosure_record."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "recipient": data["recipient"].strip(),
            "justification": (data.get("justification") or "").strip(),
        }
