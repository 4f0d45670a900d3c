"""Who may make and revoke tokens, what is audited, the command, and each token's own budget."""

from __future__ import annotations

import datetime
import hashlib
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from api.selectors import ApiToken
from api.services import token_create_service, token_revoke
from api.throttling import TokenRateThrottle
from common.exceptions import DomainError, NotAllowedError
from common.models import AuditEvent
from common.roles import Role
from tests.support.factories import make_trial, make_user, organisation, police_area

pytestmark = pytest.mark.django_db


def _create(trial: Any, by: Any, scopes: tuple[str, ...] = ("records:write",)) -> Any:
    return token_create_service(
        name="Niche RMS",
        trial=trial,
        organisation=organisation("Hampshire Constabulary"),
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=90),
        by=by,
    )


def test_only_a_manager_of_that_trial_makes_its_service_tokens() -> None:
    cara, turning = make_trial("CARA"), make_trial("TURNING")
    theirs = make_user(Role.TRIAL_MANAGER, trial=turning)
    researcher = make_user(Role.RESEARCHER, trial=cara)
    for person in (theirs, researcher):
        with pytest.raises(NotAllowedError, match="trial manager of CARA"):
            _create(cara, person)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api.token_created").exists()

    ours = make_user(Role.TRIAL_MANAGER, trial=cara)
    token, _ = _create(cara, ours)
    event = AuditEvent.objects.get(action="api.token_created")
    assert event.actor == ours
    assert event.detail["scopes"] == ["records:write"]
    assert token.trial == cara


def test_an_unknown_scope_or_no_scope_is_refused_by_field() -> None:
    cara = make_trial("CARA")
    for scopes in (("records:delete",), ()):
        with pytest.raises(DomainError) as refused:
            _create(cara, None, scopes)
        assert refused.value.field == "scopes"
    assert not ApiToken.objects.exists()


def test_revoking_is_audited_once() -> None:
    cara = make_trial("CARA")
    manager = make_user(Role.TRIAL_MANAGER, trial=cara)
    token, _ = _create(cara, manager)
    assert token_revoke(token=token, by=manager) is True
    assert token_revoke(token=token, by=manager) is False
    assert AuditEvent.objects.filter(action="api.token_revoked").count() == 1
    outsider = make_user(Role.TRIAL_MANAGER, trial=make_trial("TURNING"))
    other, _ = _create(cara, manager)
    with pytest.raises(NotAllowedError):
        token_revoke(token=other, by=outsider)
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_the_command_prints_the_secret_once_and_keeps_only_its_hash() -> None:
    make_trial("CARA")
    organisation("Hampshire Constabulary")
    out, err = StringIO(), StringIO()
    call_command(
        "api_token_create",
        "--trial=CARA",
        "--organisation=Hampshire Constabulary",
        "--scope=records:write",
        "--scope=snapshots:read",
        "--name=Niche RMS",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scopes == ["records:write", "snapshots:read"]
    assert secret not in err.getvalue()
    assert token.prefix in err.getvalue()


def test_the_command_makes_a_custody_token_for_one_area_and_refuses_one_without() -> None:
    make_trial("CARA")
    area = police_area("southampton", "Southampton")
    args = ["--trial=CARA", "--organisation=Hampshire Constabulary", "--scope=enrolment:write"]
    with pytest.raises(CommandError, match="acts in one police area"):
        call_command("api_token_create", *args, "--name=Custody", stdout=StringIO())
    with pytest.raises(CommandError, match="no police area with code nowhere"):
        call_command(
            "api_token_create", *args, "--name=Custody", "--police-area=nowhere", stdout=StringIO()
        )
    assert not ApiToken.objects.exists()
    call_command(
        "api_token_create",
        *args,
        "--name=Custody",
        "--police-area=southampton",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    account = ApiToken.objects.get().user
    assert account is not None
    assert account.police_area == area


def test_each_token_has_its_own_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # New tokens have new ids, so no count is left from another test: nothing to clear.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    cara = make_trial("CARA")
    _, first = _create(cara, None)
    _, second = _create(cara, None)
    client = Client()
    answers = [
        client.get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {first}").status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    throttled = client.get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {first}")
    assert throttled["Content-Type"] == "application/problem+json"
    assert throttled.json()["status"] == 429
    assert client.get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200


def test_each_use_is_logged_with_the_token_prefix(caplog: pytest.LogCaptureFixture) -> None:
    token, secret = _create(make_trial("CARA"), None)
    with caplog.at_level("INFO", logger="api.tokens"):
        Client().get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {secret}")
        Client().get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    lines = [r.getMessage() for r in caplog.records if r.name == "api.tokens"]
    assert lines == [f"api token {token.prefix} (service) GET /api/v1/trials/"] * 2
    assert all(secret not in line for line in lines)
