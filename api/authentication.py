"""`Authorization: Bearer <token>`: a personal or service token, refused once expired or revoked."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.selectors import ApiToken, token_for_secret
from api.services import token_used

SCHEME = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    """Find the token by the digest of its secret; it acts as its person or service account."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != SCHEME:
            return None  # no token: the permission answers 401
        if len(parts) != 2:
            raise AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token is not valid.") from None
        token = token_for_secret(secret)
        # The same words for unknown, revoked and expired: a guess learns nothing.
        if token is None:
            raise AuthenticationFailed("The token is not valid.")
        if token.revoked_at is not None:
            raise AuthenticationFailed("The token has been revoked.")
        if token.expires_at <= timezone.now():
            raise AuthenticationFailed("The token has expired.")
        if token.user is None or not token.user.is_active:
            raise AuthenticationFailed("The token's owner can no longer sign in.")
        token_used(token=token, method=request.method or "", path=request.path)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for the class above: a bearer token (personal or service)."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal or service token: Authorization: Bearer tmk_…",
        }
