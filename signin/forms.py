"""The second-factor forms: a code from the app, a recovery code, a password to re-confirm."""

from __future__ import annotations

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        help_text="Six digits; a new one every 30 seconds.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RecoveryForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        max_length=20,
        help_text="One of the ten codes you kept when you set up your app, like abcde-fghij.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class ConfirmForm(forms.Form):
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
