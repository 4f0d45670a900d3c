"""Reads of API tokens: the one a request presents, a person's own, and a trial's services'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from api.hashing import token_digest
from api.models import ApiToken
from common.memberships import membership_check
from common.models import User
from common.roles import Role

if TYPE_CHECKING:
    from trial.models import Trial


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


def service_tokens_for(*, trial: Trial, by: User) -> QuerySet[ApiToken]:
    """Return a trial's service tokens, newest first, to a trial manager of it."""
    membership_check(by, trial, Role.TRIAL_MANAGER)
    return ApiToken.objects.filter(kind=ApiToken.Kind.SERVICE, trial=trial).select_related(
        "organisation", "user__police_area", "created_by"
    )
