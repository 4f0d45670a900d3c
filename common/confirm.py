"""A second step before an irreversible action: a page that names the consequence.

A view whose POST cannot be undone calls `confirmation_needed(request)` first; without the
confirming field it renders `confirmation(...)`: the same form posted again with every field
kept, a button that names the action, and a way back. Nothing changes until the second POST.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FIELD = "confirmed"


def confirmation_needed(request: HttpRequest) -> bool:
    """Say whether this POST still lacks the person's confirmation."""
    return request.POST.get(FIELD) != "yes"


@dataclass(frozen=True)
class Confirmation:
    title: str  # e.g. "Close recruitment for CARA-HANTS?"
    consequence: str  # what happens, in the words of the people it happens to
    button: str  # e.g. "Yes, close recruitment"
    back_url: str  # where "No, go back" leads


def confirmation(request: HttpRequest, ask: Confirmation) -> HttpResponse:
    """Render the second step, posting back to the same address with every field kept."""
    kept = [
        (k, v)
        for k, values in request.POST.lists()
        if k not in {FIELD, "csrfmiddlewaretoken"}
        for v in values
    ]
    context = {"ask": ask, "kept": kept, "action": request.path, "field": FIELD}
    return render(request, "common/confirm.html", context)
