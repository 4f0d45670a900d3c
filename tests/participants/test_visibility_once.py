"""The case page checks a case's visibility once, and a lost role is still refused at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.exceptions import NotAllowedError
from common.models import User
from common.roles import Role
from common.services import membership_revoke
from participants.selectors import case_check, case_get, victim_get
from tests.support.cases import screen
from trial.models import Trial


def test_a_case_read_for_an_officer_is_not_checked_again(trial: Trial, officer: User) -> None:
    case = case_get(user=officer, pk=screen(trial, officer).pk)
    with CaptureQueriesContext(connection) as queries:
        case_check(user=officer, participant=case)
    assert len(queries) == 0
    assert victim_get(user=officer, participant=case) is None


def test_an_officer_who_lost_the_role_is_refused_the_case_already_read(
    trial: Trial, officer: User
) -> None:
    case = case_get(user=officer, pk=screen(trial, officer).pk)
    membership_revoke(user=officer, role=Role.OFFICER, trial=trial, by=None)
    with pytest.raises(NotAllowedError):
        case_check(user=officer, participant=case)
