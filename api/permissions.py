"""Who may call an endpoint: a valid token, holding the endpoint's scope, for the trial named."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api.selectors import ApiToken, Scope


def _token(request: Request) -> ApiToken | None:
    token = request.auth
    return token if isinstance(token, ApiToken) else None


class HasToken(BasePermission):
    """Any valid token (the view's selector decides what it sees)."""

    message = "Send a valid token: Authorization: Bearer <token>."

    def has_permission(self, request: Request, view: Any) -> bool:
        return _token(request) is not None


def _trial_named(request: Request, view: Any) -> str | None:
    code = getattr(view, "kwargs", {}).get("trial")
    if code is None and isinstance(request.data, dict):
        code = request.data.get("trial")
    return code if isinstance(code, str) else None


class HasScope(HasToken):
    """A token holding the scope, and (for a service token) the trial the request names.

    Used as `permission_classes = [HasScope("records:write")]`: DRF calls each entry to make
    the permission, and calling an instance returns it. A personal token holds no scopes of
    its own; what its person may do is decided by their roles in the view's selectors.
    """

    def __init__(self, scope: str) -> None:
        assert scope in Scope.values, scope
        self.scope = scope
        self.message = f"This token does not hold the {scope} scope."

    def __call__(self) -> HasScope:
        return self

    def has_permission(self, request: Request, view: Any) -> bool:
        token = _token(request)
        if token is None:
            return False
        if token.kind == ApiToken.Kind.PERSONAL:
            return True
        if self.scope not in token.scopes:
            return False
        named = _trial_named(request, view)
        if named is not None and token.trial is not None and named != token.trial.code:
            raise NotFound("No such trial.")  # another trial's existence is not confirmed
        return True
