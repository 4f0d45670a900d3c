"""Form behaviour shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import pretty_name

from common.exceptions import DomainError


def missing_message(field: forms.Field, name: str) -> str:
    """What a missing answer says: the summary shows it alone, so it names the answer."""
    label = str(field.label or pretty_name(name)).rstrip(":")
    if label.endswith("?"):
        return f"Answer the question: {label}"
    label = label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
    if label.split(" ", 1)[0] in ("what", "why", "who", "when", "how", "which"):
        return f"Say {label}"
    if isinstance(field, forms.FileField):
        return f"Choose a file for {label}"
    if isinstance(field, forms.BooleanField):
        return f"Tick {label}"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return f"Choose the {label}"
    return f"Enter the {label}"


class PlainMessages(forms.BaseForm):
    """Messages that name their answer: a missing answer, a date that is no date.

    A field's own "required" message stays; a form lists its words in ``missing`` where the
    made-up one would read badly.
    """

    missing: dict[str, str] = {}

    @classmethod
    def required_message(cls, name: str, field: forms.Field) -> str:
        """The message for this answer left empty."""
        if name in cls.missing:
            return cls.missing[name].rstrip(".") + "."
        own = str(field.error_messages["required"])
        if own != forms.Field.default_error_messages["required"]:
            return own
        return missing_message(field, name) + "."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or pretty_name(name)).lower()
            field.error_messages["required"] = self.required_message(name, field)
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"Enter the {label} as a real date."
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = "Enter an e-mail address like name@example.org."


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
