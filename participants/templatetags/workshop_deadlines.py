"""{% deadline day %}: a workshop deadline with its "overdue" or "due soon" flag, in words."""

from __future__ import annotations

import datetime

from django import template
from django.utils.html import format_html

from participants.selectors import deadline_state

register = template.Library()


@register.simple_tag
def deadline_flag(day: datetime.date | None) -> str:
    """Render the "Overdue" or "Due within 14 days" badge of a deadline, or nothing."""
    state = deadline_state(day)
    if not state:
        return ""
    colour = "text-bg-danger" if state == "overdue" else "text-bg-warning"
    # Words, not colour alone, carry the flag (WCAG 1.4.1).
    return format_html(
        '<span class="badge {}" data-testid="deadline-flag">{}</span>',
        colour,
        "Overdue" if state == "overdue" else "Due within 14 days",
    )


@register.simple_tag
def deadline(day: datetime.date | None) -> str:
    """Render a deadline day with its flag."""
    if day is None:
        return "—"
    return format_html("{} {}", f"{day:%d/%m/%Y}", deadline_flag(day))
