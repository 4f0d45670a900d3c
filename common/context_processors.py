"""Template context: the navigation of the signed-in user's roles."""

from __future__ import annotations

from django.http import HttpRequest

from common.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items, roles = nav_for(user)
    return {"nav_items": items, "user_roles": roles}
