"""A person's own tokens page: made after re-authentication, shown once, listed, revoked."""

from __future__ import annotations

import pytest
from django.test import Client

from api.selectors import ApiToken
from common.models import AuditEvent
from common.roles import Role
from tests.support.factories import make_trial, make_user
from tests.support.signin import confirm_sign_in

pytestmark = pytest.mark.django_db


def test_a_token_is_made_after_reauthentication_shown_once_and_works(client: Client) -> None:
    user = make_user(Role.RESEARCHER, trial=make_trial("CARA"))
    client.force_login(user)
    asked = client.post("/api/tokens/", {"name": "R on my laptop", "days": "30"})
    assert asked.status_code == 302
    assert "/accounts/confirm/" in asked["Location"]
    assert not ApiToken.objects.exists()

    confirm_sign_in(client)
    made = client.post("/api/tokens/", {"name": "R on my laptop", "days": "30"})
    secret = made.context["secret"]
    assert secret in made.content.decode()
    assert "shown only this once" in made.content.decode()
    listed = client.get("/api/tokens/").content.decode()
    assert "R on my laptop" in listed
    assert secret not in listed
    assert "Never" in listed  # not used yet

    api = Client()
    trials = api.get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [t["code"] for t in trials.json()["results"]] == ["CARA"]
    assert "Never" not in client.get("/api/tokens/").content.decode()


def test_a_missing_name_is_named_in_the_error_summary(client: Client) -> None:
    client.force_login(make_user(Role.RESEARCHER, trial=make_trial("CARA")))
    confirm_sign_in(client)
    page = client.post("/api/tokens/", {"name": " ", "days": "30"}).content.decode()
    assert "There is a problem" in page
    assert "Enter a name for the token" in page
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_and_nobody_else_can_revoke_it(client: Client) -> None:
    cara = make_trial("CARA")
    owner, other = make_user(Role.RESEARCHER, trial=cara), make_user(Role.RESEARCHER, trial=cara)
    client.force_login(owner)
    confirm_sign_in(client)
    secret = client.post("/api/tokens/", {"name": "Stata", "days": "30"}).context["secret"]
    token = ApiToken.objects.get()

    intruder = Client()
    intruder.force_login(other)
    assert intruder.post("/api/tokens/", {"revoke": token.pk}).status_code == 404
    assert ApiToken.objects.get().revoked_at is None

    client.post("/api/tokens/", {"revoke": token.pk})
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token_revoked", actor=owner).count() == 1
    refused = Client().get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401
