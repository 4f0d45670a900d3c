"""Every form leaves checks to the server and says which answer is missing."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from django import forms

from common.forms import PlainMessages

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORM_MODULES = [
    "common.disclosure",
    "common.people_forms",
    "outcomes.forms",
    "participants.forms",
    "plans.forms",
    "privacy.forms",
    "reports.forms",
    "trial.forms",
    "workshops.forms",
]


def test_every_form_tag_turns_off_the_browsers_own_bubbles() -> None:
    # Browser bubbles come one at a time and skip the error summary (WCAG 3.3.1).
    missing = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"<form\b", line) and "novalidate" not in line
    ]
    assert missing == []


def _plain_forms() -> list[Any]:
    found: list[Any] = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == name
                and not value.__name__.startswith("_")
            ):
                found.append(value)
    return found


@pytest.mark.parametrize("form_class", _plain_forms(), ids=lambda c: c.__qualname__)
def test_every_required_answer_says_what_is_missing(form_class: Any) -> None:
    # The summary shows a message on its own, so the generic one would not say which answer.
    required = {
        name: field
        for name, field in form_class.base_fields.items()
        if field.required and not isinstance(field.widget, forms.HiddenInput)
    }
    if not required:
        return  # a filter: nothing is ever missing
    assert issubclass(form_class, PlainMessages), "take common.forms.PlainMessages"
    for name, field in required.items():
        message = form_class.required_message(name, field)
        assert message != "This field is required.", name
        assert message.endswith("."), name
        assert " the what " not in message, name


def test_a_made_up_message_reads_as_an_instruction() -> None:
    assert PlainMessages.required_message("x", forms.CharField(label="Venue")) == (
        "Enter the venue."
    )
    assert PlainMessages.required_message("x", forms.ChoiceField(label="What happened")) == (
        "Say what happened."
    )
    assert PlainMessages.required_message("x", forms.CharField(label="PNC ID")) == (
        "Enter the PNC ID."
    )
    own = forms.CharField(error_messages={"required": "Give the reason."})
    assert PlainMessages.required_message("x", own) == "Give the reason."
