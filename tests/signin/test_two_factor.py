"""Two-factor sign-in: enrolment, codes once each, recovery codes once, a manager's reset."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client

from common.models import AuditEvent, User
from common.roles import Role, roles_of
from signin.models import Authenticator, RecoveryCode
from signin.services import code_now
from tests.support.factories import PASSWORD, make_user
from tests.support.signin import confirm_sign_in, enrol

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home_trial")]


@pytest.fixture(autouse=True)
def required(settings: object) -> None:
    settings.TWO_FACTOR_REQUIRED = True  # type: ignore[attr-defined]


def _password(client: Client, user: User, next_page: str = "") -> str:
    data = {"username": user.username, "password": PASSWORD, "next": next_page}
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302
    return str(response["Location"])


def _actions(user: User) -> list[str]:
    found = AuditEvent.objects.filter(object_id=str(user.pk), action__startswith="auth.")
    return list(found.order_by("pk").values_list("action", flat=True))


def test_a_password_alone_reaches_only_the_set_up_page_then_enrolment_gives_ten_codes(
    client: Client,
) -> None:
    officer = make_user(Role.OFFICER)
    assert _password(client, officer).startswith("/accounts/two-factor/setup/")
    for page in ("/officer/", "/admin/", "/people/", "/accounts/security/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/two-factor/setup/"), page
    setup = client.get("/accounts/two-factor/setup/").content.decode()
    assert 'href="/officer/"' not in setup  # no menu before the second factor
    assert "<svg" in setup
    assert "cdn" not in setup.lower()
    secret = Authenticator.objects.get(user=officer).secret
    assert secret[:4] in setup  # the key to type in, for an app that cannot scan

    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert not Authenticator.objects.get(user=officer).confirmed

    done = client.post("/accounts/two-factor/setup/", {"code": code_now(secret)})
    page = done.content.decode()
    codes = re.findall(r"<li>([a-z2-7]{5}-[a-z2-7]{5})</li>", page)
    assert len(codes) == 10
    stored = set(RecoveryCode.objects.filter(user=officer).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes)
    assert client.get("/officer/").status_code == 200
    assert _actions(officer) == [
        "auth.signed_in",
        "auth.second_factor_failed",
        "auth.second_factor_enrolled",
    ]
    assert not AuditEvent.objects.filter(detail__icontains=codes[0]).exists()


def test_each_code_works_once_and_a_code_from_an_earlier_period_is_refused(client: Client) -> None:
    researcher = make_user(Role.RESEARCHER)
    secret, _codes = enrol(researcher)
    assert _password(client, researcher, "/research/").startswith("/accounts/two-factor/?")
    assert client.get("/research/")["Location"].startswith("/accounts/two-factor/")
    old = client.post("/accounts/two-factor/", {"code": code_now(secret, time.time() - 120)})
    assert "not right, or was already used" in old.content.decode()
    code = code_now(secret)
    throttled = client.post("/accounts/two-factor/", {"code": code})
    assert "wait a few seconds" in throttled.content.decode()  # 1 s after one wrong code
    time.sleep(1.1)
    response = client.post("/accounts/two-factor/", {"code": code, "next": "/research/"})
    assert response["Location"] == "/research/"
    assert client.get("/research/").status_code == 200

    again = Client()
    _password(again, researcher)
    replay = again.post("/accounts/two-factor/", {"code": code})
    assert "already used" in replay.content.decode()
    assert again.get("/research/").status_code == 302
    actions = _actions(researcher)
    assert actions.count("auth.second_factor_failed") == 2
    assert actions.count("auth.second_factor_throttled") == 1
    assert actions.count("auth.second_factor_verified") == 1


def test_a_recovery_code_signs_in_once_and_not_twice(client: Client) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    _secret, codes = enrol(counsellor)
    _password(client, counsellor)
    used = client.post("/accounts/two-factor/recovery/", {"code": codes[3].upper()})
    assert used.status_code == 302
    assert client.get("/counsellor/").status_code == 200

    second = Client()
    _password(second, counsellor)
    refused = second.post("/accounts/two-factor/recovery/", {"code": codes[3]})
    assert "already used" in refused.content.decode()
    assert second.get("/counsellor/").status_code == 302
    assert RecoveryCode.objects.filter(user=counsellor, used_at__isnull=True).count() == 9
    assert "auth.recovery_code_failed" in _actions(counsellor)


def test_a_manager_resets_a_lost_phone_and_the_user_enrols_again(client: Client) -> None:
    manager = make_user(Role.TRIAL_MANAGER)
    officer = make_user(Role.OFFICER)
    enrol(officer)
    officer_client = Client()
    _password(officer_client, officer)

    client.force_login(manager)
    secret, _ = enrol(manager)
    client.post("/accounts/two-factor/", {"code": code_now(secret)})
    confirm_sign_in(client)
    assert "set up" in client.get(f"/people/{officer.pk}/").content.decode()
    client.post(f"/accounts/people/{officer.pk}/second-factor-reset/")
    assert not Authenticator.objects.filter(user=officer).exists()
    assert not RecoveryCode.objects.filter(user=officer).exists()
    reset = AuditEvent.objects.get(action="auth.second_factor_reset")
    assert (reset.actor, reset.object_id) == (manager, str(officer.pk))
    assert officer_client.get("/officer/")["Location"].startswith("/accounts/two-factor/setup/")


def test_sensitive_actions_ask_for_the_password_and_code_again(client: Client) -> None:
    manager = make_user(Role.TRIAL_MANAGER)
    officer = make_user(Role.OFFICER)
    secret, _ = enrol(manager)
    _password(client, manager)
    client.post("/accounts/two-factor/", {"code": code_now(secret)})
    session = client.session
    session["signin.confirmed"] = time.time() - 3600  # an hour ago
    session.save()
    page = f"/people/{officer.pk}/"
    asked = client.post(
        f"/people/{officer.pk}/roles/", {"roles": [Role.RESEARCHER.value]}, HTTP_REFERER=page
    )
    assert asked["Location"].startswith("/accounts/confirm/")
    officer.refresh_from_db()
    assert roles_of(officer) == [Role.OFFICER]
    wrong = client.post("/accounts/confirm/", {"password": "nope", "code": "1", "next": page})
    assert "That password is not right" in wrong.content.decode()
    # The sign-in used this period's code; the app's next one (30 s on) is new.
    later = code_now(secret, time.time() + 30)
    done = client.post("/accounts/confirm/", {"password": PASSWORD, "code": later, "next": page})
    assert done["Location"] == page
    assert client.post(f"/people/{officer.pk}/roles/", {"roles": [Role.RESEARCHER.value]})
    officer.refresh_from_db()
    assert roles_of(officer) == [Role.RESEARCHER]
    assert "auth.reauthenticated" in _actions(manager)
