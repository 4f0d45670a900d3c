"""Users and roles are managed on the People pages, through audited services, never the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from common.exceptions import DomainError
from common.models import AuditEvent, OutboxMessage, User
from common.people_urls import PAGES
from common.roles import Role, roles_of
from common.services import membership_grant, user_active_set
from tests.support.factories import PASSWORD, make_trial, make_user, police_area
from tests.support.signin import confirm_sign_in
from trial.models import Trial

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def trial() -> Trial:
    """The trial the People pages grant roles in (the manager's current trial)."""
    return make_trial("CARA")


def _manager(client: Client, **fields: Any) -> User:
    manager = make_user(Role.TRIAL_MANAGER, is_staff=True, **fields)
    client.force_login(manager)
    confirm_sign_in(client)  # signed in a moment ago, so role changes need not ask again
    return manager


def _events(action: str, user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(user.pk)).order_by("pk"))


def test_an_invited_officer_chooses_their_own_password_from_the_e_mailed_link(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    manager = _manager(client)
    area = police_area("fareham", "Fareham", "Hampshire")
    form = {
        "username": "pcjones",
        "email": "P.Jones@example.police.uk",
        "first_name": "Pat",
        "last_name": "Jones",
        "roles": [Role.OFFICER.value],
        "police_area": area.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/people/invite/", form)
    invited = User.objects.get(username="pcjones")
    assert page.status_code == 302
    assert page["Location"] == f"/people/{invited.pk}/"
    assert (invited.email, invited.police_area, roles_of(invited)) == (
        "p.jones@example.police.uk",
        area,
        [Role.OFFICER],
    )
    assert not invited.has_usable_password()
    [grant] = _events("role.grant", invited)
    assert (grant.actor, grant.detail["role"]) == (manager, Role.OFFICER.value)
    assert _events("user.invite", invited)[0].actor == manager
    message = OutboxMessage.objects.get(kind="common.account_invite")
    assert message.status == OutboxMessage.Status.SENT
    assert "p.jones" not in str(message.context) + str(message.recipients)  # ids only

    [letter] = mail.outbox
    assert letter.to == ["p.jones@example.police.uk"]
    link = next(line for line in letter.body.splitlines() if "/reset/" in line).strip()
    anonymous = Client()
    set_url = anonymous.get(link[link.index("/accounts/") :], follow=True).redirect_chain[-1][0]
    chosen = "a passphrase Pat chose 31"
    anonymous.post(set_url, {"new_password1": chosen, "new_password2": chosen})
    invited.refresh_from_db()
    assert invited.check_password(chosen)


def test_an_officer_without_a_police_area_is_refused_and_nothing_is_made(client: Client) -> None:
    _manager(client)
    form = {
        "username": "pcsmith",
        "email": "smith@example.police.uk",
        "first_name": "Sam",
        "last_name": "Smith",
        "roles": [Role.OFFICER.value],
    }
    page = client.post("/people/invite/", form)
    assert page.status_code == 200
    assert "needs a police area" in str(page.context["form"].errors["police_area"])
    assert not User.objects.filter(username="pcsmith").exists()
    assert not OutboxMessage.objects.exists()


def test_role_grants_and_revocations_are_audited_with_actor_user_and_role(client: Client) -> None:
    manager = _manager(client)
    officer = make_user(Role.OFFICER)
    roles = [Role.OFFICER.value, Role.RESEARCHER.value]
    assert client.post(f"/people/{officer.pk}/roles/", {"roles": roles}).status_code == 302
    assert client.post(f"/people/{officer.pk}/roles/", {"roles": [Role.RESEARCHER.value]})
    assert roles_of(officer) == [Role.RESEARCHER]
    [grant] = _events("role.grant", officer)
    [revoke] = _events("role.revoke", officer)
    assert (grant.actor, grant.detail["role"]) == (manager, Role.RESEARCHER.value)
    assert (revoke.actor, revoke.detail["role"]) == (manager, Role.OFFICER.value)
    page = client.get(f"/people/{officer.pk}/").content.decode()
    assert "role.revoke" in page
    assert "role.grant" in page

    # The admin's door opens and closes with the trial manager role.
    client.post(f"/people/{officer.pk}/roles/", {"roles": [Role.TRIAL_MANAGER.value]})
    officer.refresh_from_db()
    assert officer.is_staff
    client.post(f"/people/{officer.pk}/roles/", {"roles": []})
    officer.refresh_from_db()
    assert not officer.is_staff
    assert roles_of(officer) == []


def test_deactivated_users_cannot_sign_in_and_a_manager_cannot_lock_themselves_out(
    client: Client,
) -> None:
    manager = _manager(client)
    researcher = make_user(Role.RESEARCHER)
    client.post(f"/people/{researcher.pk}/active/", {"active": "no"})
    other = Client()
    other.post("/accounts/login/", {"username": researcher.username, "password": PASSWORD})
    assert "_auth_user_id" not in other.session
    assert _events("user.deactivate", researcher)[0].actor == manager

    client.post(f"/people/{manager.pk}/active/", {"active": "no"})
    manager.refresh_from_db()
    assert manager.is_active
    page = client.post(f"/people/{manager.pk}/roles/", {"roles": []})
    assert "your own trial manager role" in page.content.decode()
    assert roles_of(manager) == [Role.TRIAL_MANAGER]


def test_a_manager_sends_a_reset_link_and_never_sets_a_password(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _manager(client)
    counsellor = make_user(Role.COUNSELLOR)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/{counsellor.pk}/password-reset/")
    [letter] = mail.outbox
    assert letter.to == [counsellor.email]
    assert "/accounts/reset/" in letter.body
    counsellor.refresh_from_db()
    assert counsellor.check_password(PASSWORD)  # unchanged until they follow the link
    assert _events("user.password_reset_sent", counsellor)


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.COUNSELLOR, Role.RESEARCHER, Role.DATA_MANAGER, None]
)
def test_other_roles_cannot_open_or_post_to_any_people_page(
    client: Client, role: Role | None
) -> None:
    target = make_user(Role.OFFICER)
    client.force_login(make_user(role))
    events = AuditEvent.objects.count()
    for route, _view, name in PAGES:
        url = "/people/" + route.replace("<int:pk>", str(target.pk))
        assert client.get(url).status_code == 403, (role, name)
        posted = {"username": "x", "roles": [Role.TRIAL_MANAGER.value], "is_active": ""}
        assert client.post(url, posted).status_code == 403, (role, name)
    assert not User.objects.filter(username="x").exists()
    target.refresh_from_db()
    assert (roles_of(target), target.is_active) == ([Role.OFFICER], True)
    assert AuditEvent.objects.count() == events


def test_a_trial_manager_cannot_change_a_superusers_account(trial: Trial) -> None:
    manager = make_user(Role.TRIAL_MANAGER)
    root = make_user(is_superuser=True, is_staff=True)
    with pytest.raises(DomainError, match="command line"):
        membership_grant(user=root, role=Role.RESEARCHER, trial=trial, by=manager)
    with pytest.raises(DomainError, match="command line"):
        user_active_set(user=root, active=False, by=manager)


@pytest.mark.parametrize("superuser", [False, True])
def test_the_user_admin_sets_no_superuser_no_password_and_no_group(
    client: Client, superuser: bool
) -> None:
    _manager(client, is_superuser=superuser)
    officer = make_user(Role.OFFICER)
    change = f"/admin/common/user/{officer.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200  # a trial manager may look
    assert page.context["has_change_permission"] is False
    managers = Group.objects.get(name=Role.TRIAL_MANAGER.value)
    posted = {
        "username": officer.username,
        "is_superuser": "on",
        "is_staff": "on",
        "is_active": "on",
        "groups": [managers.pk],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00",
    }
    assert client.post(change, posted).status_code == 403
    password = {"password1": "taken over 12345", "password2": "taken over 12345"}
    assert client.post(f"/admin/common/user/{officer.pk}/password/", password).status_code == 403
    assert client.post("/admin/common/user/add/", posted).status_code == 403
    assert client.post(f"/admin/auth/group/{managers.pk}/change/", {"name": "x"}).status_code == 403
    officer.refresh_from_db()
    assert not officer.is_superuser
    assert not officer.is_staff
    assert officer.check_password(PASSWORD)
    assert roles_of(officer) == [Role.OFFICER]


def test_areas_and_providers_saved_in_the_admin_are_audited(client: Client) -> None:
    manager = _manager(client)
    force = police_area("fareham", "Fareham").force
    form = {"code": "winchester", "name": "Winchester", "force": force.pk}
    assert client.post("/admin/common/policearea/add/", form).status_code == 302
    event = AuditEvent.objects.get(action="police_area.create")
    assert (event.actor, event.detail["code"]) == (manager, "winchester")
    assert client.post("/admin/common/provider/add/", {"name": "Solent Trust"}).status_code == 302
    assert AuditEvent.objects.get(action="provider.create").actor == manager


def test_a_refused_role_change_changes_no_role(client: Client) -> None:
    _manager(client)
    researcher = make_user(Role.RESEARCHER)  # no police area
    roles = [Role.OFFICER.value, Role.DATA_MANAGER.value]  # drops Researcher, adds two
    page = client.post(f"/people/{researcher.pk}/roles/", {"roles": roles})
    assert page.status_code == 200
    assert "needs a police area" in page.content.decode()
    assert roles_of(researcher) == [Role.RESEARCHER]
    assert not AuditEvent.objects.filter(action__startswith="role.").exists()
