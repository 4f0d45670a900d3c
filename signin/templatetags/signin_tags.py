"""A user's sign-in state on their People page."""

from __future__ import annotations

from django import template

from signin import selectors

register = template.Library()
register.simple_tag(selectors.sign_in_state, name="sign_in_state")
