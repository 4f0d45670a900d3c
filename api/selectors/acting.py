"""The trial a request names and the person it acts as, for the endpoints under a trial."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from api.models import ApiToken
from api.selectors.trials import trials_for_token
from common.models import User

if TYPE_CHECKING:
    from trial.models import Trial

# The custody steps, case reads, report runs and dataset disclosures are recorded under, or
# scoped by, the person who does them (the services and selectors take a person): a service
# token is nobody.
NO_PERSON = (
    "A service token acts as no person, and this is recorded under (or scoped by) the officer or "
    "researcher who does it: send that person's personal token."
)


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


def acting_person(request: Any) -> User | None:
    """Return the person a token acts as: a personal token's own, or None for a service token."""
    return request_token(request).user


def acting_officer(request: Any) -> User:
    """Return the person a step is recorded under or a read scoped by; refuse a service token."""
    person = acting_person(request)
    if person is None:
        raise PermissionDenied(NO_PERSON)
    return person
