"""Form behaviour shared by every app's pages."""

from __future__ import annotations

from django import forms

from common.exceptions import DomainError


class DomainErrorForm(forms.Form):
    """A form that shows a service's refusal next to the field it is about."""

    def add_domain_error(self, error: DomainError) -> None:
        """Show each message of the refusal next to its field (or above the form)."""
        for field, message in error.messages_by_field().items():
            self.add_error(field if field in self.fields else None, message)


class DatePickerInput(forms.DateInput):
    """A browser date picker; browsers read ISO dates only, whatever the locale shows elsewhere."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
