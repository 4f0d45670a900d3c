"""How an audit row's detail reads on the audit page: the why first, then the identifiers."""

from __future__ import annotations

from django import template

from common.disclosure import PURPOSE_LABELS

register = template.Library()
SHOWN_APART = {"participant", "participants", "trial", "purpose", "recipient", "justification"}


@register.filter
def purpose_label(code: str) -> str:
    return PURPOSE_LABELS.get(code, code)


@register.filter
def other_detail(detail: dict[str, object]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in sorted(detail.items()) if k not in SHOWN_APART)
