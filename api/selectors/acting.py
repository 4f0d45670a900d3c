"""The trial a request names and the person it acts as, for the endpoints under a trial."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from api.models import ApiToken
from api.selectors.trials import trials_for_token
from common.models import User

if TYPE_CHECKING:
    from trial.models import Trial


def request_token(request: Any) -> ApiToken:
    """Return the request's token (the endpoint's permission let it in)."""
    token = request.auth
    assert isinstance(token, ApiToken)
    return token


def token_trial(request: Any, code: str) -> Trial:
    """Return the trial the URL names if the token may see it, or 404 (no other trial confirmed)."""
    trial = trials_for_token(request_token(request)).filter(code=code).first()
    if trial is None:
        raise Http404("No such trial.")
    return trial


def acting_person(request: Any) -> User:
    """Return who a token acts as: a personal token's person, a service token's account.

    A service account holds only the roles its token's scopes need (api/services/tokens.py),
    so the services record, and the selectors scope, its work as they would an officer's.
    """
    person = request_token(request).user
    assert person is not None  # the database refuses a token without one
    return person
