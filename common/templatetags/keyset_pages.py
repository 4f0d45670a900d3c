"""{% page_url "param" cursor %}: this page's address with one list's cursor replaced.

A page can hold several paged lists (each its own parameter); the address keeps the filters and
the other lists' cursors, so paging one list leaves the rest where they were.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], param: str, cursor: str) -> str:
    """Return "?..." with the current query and `param` set to the cursor."""
    query = context["request"].GET.copy()
    query[param] = cursor
    return f"?{query.urlencode()}"
