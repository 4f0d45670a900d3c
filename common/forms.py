"""Form behaviour shared by every app's pages."""

from __future__ import annotations

from django import forms

from common.exceptions import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show each message of a service's refusal next to its field (or above the form).

    The one way a refusal reaches a page or the admin: views and admin forms call it.
    """
    for field, message in error.messages_by_field().items():
        form.add_error(field if field in form.fields else None, message)


class DatePickerInput(forms.DateInput):
    """A browser date picker; browsers read ISO dates only, whatever the locale shows elsewhere."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
