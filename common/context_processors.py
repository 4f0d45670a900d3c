"""Template context: the navigation of the signed-in user's roles."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from common.memberships import trials_of
from common.navigation import nav_for
from common.trial_picker import current_trial


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    # Signed in with a password but not yet the code: the menu's pages would only send them back.
    if user is None or not user.is_authenticated or getattr(request, "signin_pending", False):
        return {"nav_items": [], "user_roles": []}
    items, roles = nav_for(user)
    return {
        "nav_items": items,
        "user_roles": roles,
        "idle_seconds": settings.SIGNIN_IDLE_SECONDS,
        "current_trial": current_trial(request),
        "trial_choices": trials_of(user),
    }
