"""Sign-in, landing pages and the walls between roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from common.roles import Role
from tests.support.factories import PASSWORD, make_user

# Roles are held in a trial: every test here has one (a user made by make_user holds it there).
pytestmark = pytest.mark.usefixtures("home_trial")

DASHBOARDS = {
    Role.OFFICER: "/officer/",
    Role.COUNSELLOR: "/counsellor/",
    Role.RESEARCHER: "/research/",
    Role.TRIAL_MANAGER: "/trial/",
    Role.DATA_MANAGER: "/outcomes/",
    Role.NATIONAL_COORDINATOR: "/oversight/",
    Role.DATA_PROTECTION_OFFICER: "/audit/",
    Role.DATA_MONITORING_COMMITTEE: "/research/",  # the reports page, read as the committee
}


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_lands_on_its_dashboard(client: Client, role: Role) -> None:
    user = make_user(role)
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == DASHBOARDS[role]
    assert response.status_code == 200
    assert role.value in response.content.decode()


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", *DASHBOARDS.values(), "/admin/"])
def test_anonymous_users_are_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or response["Location"].startswith(
        "/admin/login/"
    )


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client: Client) -> None:
    user = make_user(Role.OFFICER)
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_a_role_cannot_open_another_roles_pages(client: Client, role: Role) -> None:
    client.force_login(make_user(role))
    for other, path in DASHBOARDS.items():
        response = client.get(path)
        # The committee and researchers share the reports page (each sees its own runs there).
        if path == DASHBOARDS[role] or (
            role is Role.TRIAL_MANAGER
            # The programme page is also the trial manager's view of their own trials.
            and other
            in {
                Role.RESEARCHER,
                Role.DATA_MANAGER,
                Role.NATIONAL_COORDINATOR,
                Role.DATA_PROTECTION_OFFICER,
                Role.DATA_MONITORING_COMMITTEE,
            }
        ):
            assert response.status_code == 200, (role, path)
        else:
            assert response.status_code == 403, (role, path)
            assert "You cannot open this page" in response.content.decode()


@pytest.mark.django_db
def test_a_user_without_a_role_is_told_so(client: Client) -> None:
    client.force_login(make_user(None))
    response = client.get("/")
    assert response.status_code == 403
    assert "no role yet" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.TRIAL_MANAGER])
def test_only_trial_managers_enter_the_admin(client: Client, role: Role) -> None:
    client.force_login(make_user(role, is_staff=True))
    assert client.get("/admin/").status_code == 302  # back to the admin's login page
    client.force_login(make_user(Role.TRIAL_MANAGER))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Trial manager administration" in response.content.decode()


@pytest.mark.django_db
def test_navigation_shows_only_the_users_own_pages(client: Client) -> None:
    client.force_login(make_user(Role.COUNSELLOR))
    page = client.get("/counsellor/").content.decode()
    assert 'href="/counsellor/"' in page
    assert 'href="/officer/"' not in page
    assert 'href="/admin/"' not in page


@pytest.mark.django_db
def test_unknown_page_gets_the_404_page(client: Client) -> None:
    client.force_login(make_user(Role.OFFICER))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_sign_out_ends_the_session(client: Client) -> None:
    client.force_login(make_user(Role.RESEARCHER))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/research/").status_code == 302


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user(Role.OFFICER, email="olivia@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        client.post(reverse("password_reset"), {"email": "olivia@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line).strip()
    path = link[link.index("/accounts/") :]
    form_page = client.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    new = "a new long passphrase 42"
    client.post(set_url, {"new_password1": new, "new_password2": new})
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.django_db
def test_password_change(client: Client) -> None:
    user = make_user(Role.COUNSELLOR)
    client.force_login(user)
    new = "another long passphrase 7"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.smoke
@pytest.mark.django_db
def test_health_check_answers_without_login(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
