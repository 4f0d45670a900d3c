"""Reads of API tokens: the one a request presents, and a person's own."""

from __future__ import annotations

from django.db.models import QuerySet

from api.hashing import token_digest
from api.models import ApiToken
from common.models import User


def token_for_secret(secret: str) -> ApiToken | None:
    """Return the token whose secret this is (revoked and expired ones too), or None."""
    return (
        ApiToken.objects.select_related("user", "trial", "organisation")
        .filter(digest=token_digest(secret))
        .first()
    )


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """Return the person's own personal tokens, newest first."""
    return ApiToken.objects.filter(kind=ApiToken.Kind.PERSONAL, user=user)
