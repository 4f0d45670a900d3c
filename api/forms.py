"""The personal tokens page's form: a name and how long the token lasts."""

from __future__ import annotations

from django import forms

from common.forms import PlainMessages

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
