"""Tokens for the API tests: a trial's service token, another trial's, and a person's own."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from api.services import token_create_personal, token_create_service
from common.models import User
from common.roles import Role
from tests.support.factories import make_trial, make_user, organisation, police_area
from trial.models import Trial


@dataclass
class Issued:
    trial: Trial
    secret: str
    token_id: int


@pytest.fixture
def service_token(transactional_db: None) -> Callable[..., Issued]:
    """Make a service token holding the given scopes, of a new trial unless one is given.

    A custody token (screening or enrolment) acts in a police area: the one given, or a
    headquarters area of the force.
    """

    def make(code: str = "CARA", scopes: tuple[str, ...] = ("records:write",), **kw: Any) -> Issued:
        trial = kw.get("trial") or make_trial(code)
        manager = make_user(Role.TRIAL_MANAGER, trial=trial)
        area = kw.get("police_area")
        if area is None and set(scopes) & {"screening:write", "enrolment:write"}:
            area = police_area("hq", "Headquarters", "Hampshire Constabulary")
        token, secret = token_create_service(
            name=f"{trial.code} {kw.get('system', 'records system')}",
            trial=trial,
            organisation=area.force if area else organisation("Hampshire Constabulary"),
            police_area=area,
            scopes=scopes,
            expires_at=kw.get("expires_at", timezone.now() + datetime.timedelta(days=30)),
            by=manager,
        )
        return Issued(trial, secret, token.pk)

    return make


@pytest.fixture
def personal_token(transactional_db: None) -> Callable[[User], str]:
    def make(user: User) -> str:
        _, secret = token_create_personal(
            name="my laptop", expires_at=timezone.now() + datetime.timedelta(days=7), by=user
        )
        return secret

    return make
