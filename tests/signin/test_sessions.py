"""Sessions end when idle, after their lifetime, and on a password change; polls do not count."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from common.models import AuditEvent, User
from common.roles import Role
from common.signin_marks import SEEN_AT, SIGNED_IN_AT
from tests.support.factories import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home_trial")]


def _signed_in(client: Client, role: Role) -> User:
    user = make_user(role)
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return user


def _age(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_fifteen_idle_minutes_sign_the_user_out_with_a_reason(client: Client) -> None:
    officer = _signed_in(client, Role.OFFICER)
    _age(client, SEEN_AT, 14 * 60)
    assert client.get("/officer/").status_code == 200  # 14 minutes: still there, timer restarts
    _age(client, SEEN_AT, 15 * 60 + 1)
    response = client.get("/officer/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=%2Fofficer%2F")
    assert "signed out after 15 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session
    expired = AuditEvent.objects.get(action="auth.session_expired")
    assert (expired.actor, expired.detail["why"]) == (officer, "idle")


def test_ten_hours_after_sign_in_the_session_ends_however_busy(client: Client) -> None:
    _signed_in(client, Role.RESEARCHER)
    _age(client, SIGNED_IN_AT, 10 * 3600 + 1)
    assert client.get("/research/").status_code == 302
    assert AuditEvent.objects.get(action="auth.session_expired").detail["why"] == "lifetime"


def test_a_page_polling_for_progress_does_not_keep_the_session_alive(client: Client) -> None:
    _signed_in(client, Role.RESEARCHER)
    _age(client, SEEN_AT, 60)
    before = client.session[SEEN_AT]
    client.get("/research/reports/999999/progress")  # a passive view (404 here: no such run)
    assert client.session[SEEN_AT] == before
    client.post("/accounts/keepalive/")  # "Stay signed in"
    assert client.session[SEEN_AT] > before


def test_a_password_change_ends_the_session_and_every_other_one(client: Client) -> None:
    user = _signed_in(client, Role.COUNSELLOR)
    other = Client()
    other.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    new = "a brand new long passphrase 42"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Sign in with the new one" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert other.get("/counsellor/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=user).exists()


def test_sign_in_and_sign_out_are_audited_and_old_hashes_move_to_argon2(client: Client) -> None:
    user = make_user(Role.OFFICER)
    User.objects.filter(pk=user.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )  # one-door: an account from before Argon2
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    client.post("/accounts/logout/")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    actions = AuditEvent.objects.filter(actor=user).values_list("action", flat=True)
    assert list(actions.order_by("pk")) == ["auth.signed_in", "auth.signed_out"]
