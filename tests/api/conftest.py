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
from tests.support.factories import make_trial, make_user, organisation
from trial.models import Trial


@dataclass
class Issued:
    trial: Trial
    secret: str
    token_id: int


@pytest.fixture
def service_token(transactional_db: None) -> Callable[..., Issued]:
    """Make a service token of a new trial holding the given scopes."""

    def make(code: str = "CARA", scopes: tuple[str, ...] = ("records:write",), **kw: Any) -> Issued:
        trial = make_trial(code)
        manager = make_user(Role.TRIAL_MANAGER, trial=trial)
        token, secret = token_create_service(
            name=f"{code} records system",
            trial=trial,
            organisation=organisation("Hampshire Constabulary"),
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
