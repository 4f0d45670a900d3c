"""The trials a token may see: a service token its own, a personal token its person's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from api.models import ApiToken
from common.roles import Role
from trial.selectors import trial_list, trials_for

if TYPE_CHECKING:
    from trial.models import Trial


def trials_for_token(token: ApiToken) -> QuerySet[Trial]:
    """Return the trials the token may see, by code."""
    if token.kind == ApiToken.Kind.SERVICE:
        return trial_list().filter(pk=token.trial_id or 0)
    assert token.user is not None  # a check constraint keeps personal tokens owned
    return trials_for(token.user, *Role)
