"""The API over a real HTTP server: bearer tokens, problem+json refusals, what a token sees."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

import requests
from django.db import connection
from django.utils import timezone

from api.selectors import ApiToken
from api.services import token_revoke
from common.models import AuditEvent, User
from common.roles import Role
from tests.api.conftest import Issued
from tests.support.factories import grant, make_trial, make_user

PROBLEM = "application/problem+json"


def _get(live_server: Any, path: str, secret: str | None = None, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return requests.get(f"{live_server.url}{path}", headers=headers, timeout=20, **kw)


def _is_problem(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"]
    return body


def test_a_service_token_sees_its_own_trial_only(
    live_server: Any, service_token: Callable[..., Issued]
) -> None:
    mine = service_token("CARA")
    other = service_token("TURNING")
    response = _get(live_server, "/api/v1/trials/", mine.secret)
    assert response.status_code == 200, response.text
    assert [t["code"] for t in response.json()["results"]] == ["CARA"]
    assert [
        t["code"] for t in _get(live_server, "/api/v1/trials/", other.secret).json()["results"]
    ] == ["TURNING"]


def test_a_personal_token_sees_its_persons_trials(
    live_server: Any, personal_token: Callable[[User], str]
) -> None:
    cara, turning = make_trial("CARA"), make_trial("TURNING")
    make_trial("ELSEWHERE")
    researcher = make_user(Role.RESEARCHER, trial=cara)
    make_user(Role.OFFICER, trial=turning)  # someone else's trial
    grant(researcher, Role.RESEARCHER, turning)
    response = _get(live_server, "/api/v1/trials/", personal_token(researcher))
    assert [t["code"] for t in response.json()["results"]] == ["CARA", "TURNING"]


def test_trials_come_in_cursor_pages(
    live_server: Any, personal_token: Callable[[User], str]
) -> None:
    codes = [f"T{n}" for n in range(5)]
    manager = make_user(Role.TRIAL_MANAGER, trial=make_trial(codes[0]))
    for code in codes[1:]:
        grant(manager, Role.TRIAL_MANAGER, make_trial(code))
    secret, seen, url = personal_token(manager), [], "/api/v1/trials/?page_size=2"
    while url:
        page = _get(live_server, url.removeprefix(live_server.url), secret).json()
        seen += [t["code"] for t in page["results"]]
        url = page["next"] or ""
    assert seen == codes


def test_no_token_garbage_expired_and_revoked_tokens_are_refused(
    live_server: Any, service_token: Callable[..., Issued]
) -> None:
    issued = service_token("CARA")
    body = _is_problem(_get(live_server, "/api/v1/trials/"), 401)
    assert "token" in body["detail"].lower()
    _is_problem(_get(live_server, "/api/v1/trials/", "tmk_not-a-real-token"), 401)
    _is_problem(
        requests.get(
            f"{live_server.url}/api/v1/trials/",
            headers={"Authorization": "Bearer two words"},
            timeout=20,
        ),
        401,
    )

    ApiToken.objects.filter(pk=issued.token_id).update(  # one-door: a test ages the token
        created_at=timezone.now() - datetime.timedelta(days=2),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert (
        "expired" in _is_problem(_get(live_server, "/api/v1/trials/", issued.secret), 401)["detail"]
    )

    fresh = service_token("TURNING")
    token_revoke(token=ApiToken.objects.get(pk=fresh.token_id), by=None)
    assert (
        "revoked" in _is_problem(_get(live_server, "/api/v1/trials/", fresh.secret), 401)["detail"]
    )


def test_the_secret_is_stored_only_as_its_sha256(
    live_server: Any, service_token: Callable[..., Issued]
) -> None:
    issued = service_token("CARA")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken WHERE id = %s", [issued.token_id])
        row = [str(value) for value in cursor.fetchone()]
    assert not any(issued.secret in value or issued.secret[12:] in value for value in row)
    assert hashlib.sha256(issued.secret.encode()).hexdigest() in row
    created = AuditEvent.objects.get(action="api.token_created", object_id=str(issued.token_id))
    assert issued.secret not in str(created.detail)
    assert created.trial == "CARA"


def test_use_is_recorded_at_most_once_a_minute(
    live_server: Any, service_token: Callable[..., Issued]
) -> None:
    issued = service_token("CARA")
    assert ApiToken.objects.get(pk=issued.token_id).last_used_at is None
    _get(live_server, "/api/v1/trials/", issued.secret)
    first = ApiToken.objects.get(pk=issued.token_id).last_used_at
    assert first is not None
    _get(live_server, "/api/v1/trials/", issued.secret)
    assert ApiToken.objects.get(pk=issued.token_id).last_used_at == first


def test_a_huge_body_is_refused_with_413_before_it_is_read(
    live_server: Any, service_token: Callable[..., Issued], settings: Any
) -> None:
    issued = service_token("CARA")
    huge = b"[" + b"0," * (settings.API_MAX_BODY_BYTES // 2) + b"0]"
    response = requests.post(
        f"{live_server.url}/api/v1/trials/",
        data=huge,
        headers={"Authorization": f"Bearer {issued.secret}", "Content-Type": "application/json"},
        timeout=60,
    )
    assert "most this API reads" in _is_problem(response, 413)["detail"]


def _post(live_server: Any, path: str, secret: str, data: bytes) -> requests.Response:
    return requests.post(
        f"{live_server.url}{path}",
        data=data,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        timeout=20,
    )


def test_malformed_json_is_a_400_problem(
    live_server: Any, service_token: Callable[..., Issued], settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.api.echo_urls"
    issued = service_token("CARA")
    response = _post(live_server, "/api/v1/echo/", issued.secret, b'{"trial": "CARA",')
    assert "JSON" in _is_problem(response, 400)["detail"]


def test_field_errors_are_named_like_the_forms_name_them(
    live_server: Any, service_token: Callable[..., Issued], settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.api.echo_urls"
    issued = service_token("CARA")
    body = b'{"trial": "CARA", "offence_date": "2026-02-30", "rows": [{"a": 1}, {"a": "x"}]}'
    errors = _is_problem(_post(live_server, "/api/v1/echo/", issued.secret, body), 400)["errors"]
    assert set(errors) == {"offence_date", "rows.1.a"}
    assert "date" in errors["offence_date"][0].lower()
    conflict = b'{"trial": "CARA", "offence_date": "2026-02-03", "rows": [{"conflict": 1}]}'
    problem = _is_problem(_post(live_server, "/api/v1/echo/", issued.secret, conflict), 409)
    assert problem["errors"] == {"rows": ["Another push holds these records."]}


def test_a_token_is_refused_another_trial_and_a_scope_it_does_not_hold(
    live_server: Any, service_token: Callable[..., Issued], settings: Any
) -> None:
    settings.ROOT_URLCONF = "tests.api.echo_urls"
    mine, other = service_token("CARA"), service_token("TURNING")
    body = b'{"trial": "TURNING", "offence_date": "2026-02-03", "rows": []}'
    _is_problem(_post(live_server, "/api/v1/echo/", mine.secret, body), 404)
    _is_problem(_get(live_server, "/api/v1/trials/TURNING/echo/", mine.secret), 404)
    assert _get(live_server, "/api/v1/trials/TURNING/echo/", other.secret).json() == {
        "trial": "TURNING"
    }
    reader = service_token("READER", scopes=("reports:read",))
    body = b'{"trial": "READER", "offence_date": "2026-02-03", "rows": []}'
    problem = _is_problem(_post(live_server, "/api/v1/echo/", reader.secret, body), 403)
    assert "records:write" in problem["detail"]


def test_an_unknown_api_address_is_a_404_problem(live_server: Any) -> None:
    _is_problem(_get(live_server, "/api/v1/no-such-thing/"), 404)
    _is_problem(requests.post(f"{live_server.url}/api/v2/", data=b"{}", timeout=20), 404)
