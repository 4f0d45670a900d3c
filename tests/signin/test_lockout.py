"""Lockout after repeated wrong passwords, a manager's unlock, and the throttled reset form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from common.models import AuditEvent, OutboxMessage, User
from common.roles import Role
from tests.support.factories import PASSWORD, make_user
from tests.support.signin import confirm_sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home_trial")]


def _sign_in(client: Client, user: User, password: str) -> int:
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    return response.status_code


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_waits(client: Client) -> None:
    officer = make_user(Role.OFFICER)
    codes = [_sign_in(client, officer, f"wrong-{n}") for n in range(30)]
    assert codes[:4] == [200] * 4
    assert set(codes[4:]) == {429}
    locked = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    actions = AuditEvent.objects.filter(object_id=str(officer.pk)).values_list("action", flat=True)
    assert list(actions).count("auth.sign_in_failed") == 4
    assert list(actions).count("auth.locked_out") == 27  # the 5th, 25 more and the right one
    assert not AuditEvent.objects.filter(detail__icontains="wrong-").exists()  # no passwords

    # After the cool-off the right password works (the attempts age, as 15 minutes would).
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )  # one-door: a test ages the lockout
    assert _sign_in(Client(), officer, PASSWORD) == 302


def test_a_trial_manager_unlocks_an_account_before_the_cool_off(client: Client) -> None:
    researcher = make_user(Role.RESEARCHER)
    stranger = Client()
    for n in range(6):
        _sign_in(stranger, researcher, f"guess-{n}")
    manager = make_user(Role.TRIAL_MANAGER)
    client.force_login(manager)
    confirm_sign_in(client)
    page = client.get(f"/people/{researcher.pk}/").content.decode()
    assert "Locked" in page
    assert "Unlock sign-in" in page
    client.post(f"/accounts/people/{researcher.pk}/unlock/")
    unlock = AuditEvent.objects.get(action="auth.unlocked")
    assert (unlock.actor, unlock.object_id) == (manager, str(researcher.pk))
    assert _sign_in(Client(REMOTE_ADDR="10.0.0.9"), researcher, PASSWORD) == 302


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.COUNSELLOR, Role.RESEARCHER, Role.DATA_MANAGER, None]
)
def test_the_unlock_is_a_trial_managers_alone(client: Client, role: Role | None) -> None:
    researcher = make_user(Role.RESEARCHER)
    for n in range(6):
        _sign_in(Client(), researcher, f"guess-{n}")
    client.force_login(make_user(role))
    confirm_sign_in(client)
    assert client.post(f"/accounts/people/{researcher.pk}/unlock/").status_code == 403
    reset = f"/accounts/people/{researcher.pk}/second-factor-reset/"
    assert client.post(reset).status_code == 403
    assert AccessAttempt.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["auth.unlocked", "auth.second_factor_reset"])


def test_the_admin_signs_in_through_the_one_sign_in_page(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/common/auditevent/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/common/auditevent/"
    manager = make_user(Role.TRIAL_MANAGER, is_staff=True)
    wrong = {"username": manager.username, "password": "nope"}
    assert client.post("/admin/login/", wrong).status_code == 302  # no password taken there
    assert not AuditEvent.objects.filter(action="auth.sign_in_failed").exists()


def test_the_reset_form_is_throttled_per_address_and_per_e_mail(client: Client) -> None:
    officer = make_user(Role.OFFICER)
    for _ in range(5):
        assert client.post("/accounts/password_reset/", {"email": officer.email}).status_code == 302
    refused = client.post("/accounts/password_reset/", {"email": officer.email})
    assert "Too many reset requests" in refused.content.decode()
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")  # another address, the same e-mail
    assert (
        "Too many"
        in elsewhere.post("/accounts/password_reset/", {"email": officer.email}).content.decode()
    )
    other = make_user(Role.OFFICER)
    assert (
        "Too many"
        in client.post("/accounts/password_reset/", {"email": other.email}).content.decode()
    )
    assert OutboxMessage.objects.filter(kind="common.password_reset").count() == 5
    assert AuditEvent.objects.filter(action="auth.password_reset_throttled").count() == 3
    assert not AuditEvent.objects.filter(detail__icontains=officer.email).exists()
