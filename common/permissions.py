"""View guards: a role's pages refuse everyone else with 403, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from common.models import User
from common.roles import Role, has_role

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def role_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Let the view run only for users holding one of the roles."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(has_role(request.user, role) for role in roles):
                raise PermissionDenied("This page belongs to another role.")
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def request_user(request: HttpRequest) -> User:
    """Return the signed-in user of a request (the login middleware lets no one else through)."""
    assert isinstance(request.user, User)
    return request.user
