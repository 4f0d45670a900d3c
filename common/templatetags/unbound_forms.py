"""{% crispy_unbound form %}: an empty form's HTML rendered once a minute, not on every page.

Crispy renders the screening form's 30 fields through a dozen templates each: most of a page's
time. An unbound form renders the same for the same fields, choices and first values, so its
HTML is kept per process, keyed by all of those, for a minute. It never holds personal data (an
empty form has none) nor a CSRF token: it is rendered without one, and the page's own token and
submission token are put in on the way out.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from crispy_forms.utils import render_crispy_form
from django import forms, template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SECONDS = 60.0
LIMIT = 256  # keys (a trial's areas and a day's dates): a bound on memory, not a rule
SENTINEL = str(uuid.UUID(int=0))  # stands for the submission token in the kept HTML
_kept: dict[tuple[Any, ...], tuple[float, str]] = {}
_lock = threading.Lock()


def _field_key(bound: forms.BoundField) -> tuple[Any, ...]:
    field = bound.field
    choices = getattr(field, "choices", None)
    return (
        bound.name,
        str(field.label),
        str(field.help_text),
        field.required,
        field.disabled,
        type(field.widget).__name__,
        repr(sorted(field.widget.attrs.items())),
        None if bound.name == "token" else repr(bound.value()),
        None if choices is None else tuple((str(v), str(label)) for v, label in choices),
    )


def form_key(form: forms.BaseForm) -> tuple[Any, ...]:
    """Everything an unbound form's HTML is made of (its helper's layout is its class's)."""
    helper = getattr(form, "helper", None)
    settings = (
        []
        if helper is None
        else sorted((name, repr(value)) for name, value in vars(helper).items() if name != "layout")
    )
    return (
        type(form).__module__,
        type(form).__qualname__,
        form.prefix,
        timezone.localdate().isoformat(),  # date pickers' limits move at midnight
        tuple(settings),
        tuple(_field_key(bound) for bound in form),
    )


def unbound_html(form: forms.BaseForm, request: Any) -> SafeString:
    """Return the unbound form's HTML as {% crispy form %} renders it, with this page's tokens."""
    key = form_key(form)
    token = str(form["token"].value()) if "token" in form.fields else None
    now = time.monotonic()
    with _lock:
        kept = _kept.get(key)
    if kept is not None and now - kept[0] < SECONDS:
        html = kept[1] if token is None else kept[1].replace(SENTINEL, token)
    else:
        html = str(render_crispy_form(form))  # no request context: no CSRF token in it
        # Kept only when the page's token is in it exactly once, to be swapped for the next.
        if token is None or html.count(token) == 1:
            with _lock:
                if len(_kept) >= LIMIT:
                    _kept.clear()
                _kept[key] = (now, html if token is None else html.replace(token, SENTINEL))
    if request is not None and "<form " in html:
        csrf = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        opening = html.index(">", html.index("<form ")) + 1
        html = html[:opening] + " " + csrf + html[opening:]  # where {% csrf_token %} goes
    return mark_safe(html)  # noqa: S308  (crispy's own escaped output, and format_html's)


def forget() -> None:
    """Drop every kept form (tests that change a form's fields mid-run)."""
    with _lock:
        _kept.clear()


@register.simple_tag(takes_context=True)
def crispy_unbound(context: template.Context, form: forms.BaseForm) -> SafeString:
    """Render an unbound crispy form from its kept HTML (a bound one renders as usual)."""
    request = context.get("request")
    if form.is_bound:
        return SafeString(render_crispy_form(form, context=context.flatten()))
    return unbound_html(form, request)
