"""Schemathesis over the live server: each endpoint, a token of each scope, no 5xx, as described."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.selectors import Scope
from api.services import token_create_service
from common.roles import Role
from tests.support.factories import make_trial, make_user, police_area
from tests.support.roles import roles_restore

pytestmark = pytest.mark.postgres
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def secrets(transactional_db: None) -> list[str]:
    """One CARA service token per scope."""
    roles_restore()  # an earlier transactional test flushed the groups
    trial = make_trial("CARA")
    manager = make_user(Role.TRIAL_MANAGER, trial=trial)
    area = police_area("hq", "Headquarters", "Hampshire Constabulary")
    made = []
    for scope in Scope.values:
        _, secret = token_create_service(
            name=scope,
            trial=trial,
            organisation=area.force,
            police_area=area,
            scopes=[scope],
            expires_at=timezone.now() + datetime.timedelta(days=30),
            by=manager,
        )
        made.append(secret)
    return made


def _fuzz(operation: Any, secrets: list[str], seen: set[int]) -> None:
    """Send each generated request with every token; check no 5xx and the described answers."""

    @given(case=operation.as_strategy())
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        if "trial" in (case.path_parameters or {}):
            case.path_parameters["trial"] = "CARA"  # the tokens' own trial, so the views run
        for secret in secrets:
            answer = case.call_and_validate(
                headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS
            )
            seen.add(answer.status_code)

    run()


def test_no_endpoint_fails_or_strays_from_its_schema(live_server: Any, secrets: list[str]) -> None:
    # Loaded by hand: schemathesis's pytest plugin does not run under this pytest.
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is sound
        operations.append(result.ok())
    assert len(operations) >= 10
    seen: set[int] = set()
    for operation in operations:
        _fuzz(operation, secrets, seen)
    # The views ran, not only the refusals: answers and field errors came back too.
    assert {200, 400, 403} <= seen, seen
