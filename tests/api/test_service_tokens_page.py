"""A trial manager's service tokens page: made after re-authentication, shown once, revoked."""

from __future__ import annotations

import pytest
from django.test import Client

from api.selectors import ApiToken
from common.models import AuditEvent
from common.roles import Role
from tests.support.factories import make_trial, make_user, organisation, police_area
from tests.support.signin import confirm_sign_in

pytestmark = pytest.mark.django_db


def _custody(**over: object) -> dict[str, object]:
    area = police_area("southampton", "Southampton")
    return {
        "name": "Southampton custody suite",
        "organisation": area.force.pk,
        "scopes": ["screening:write", "enrolment:write"],
        "police_area": area.pk,
        "days": "365",
        **over,
    }


def test_a_manager_makes_a_custody_token_after_reauthentication_and_sees_it_once(
    client: Client,
) -> None:
    cara = make_trial("CARA")
    manager = make_user(Role.TRIAL_MANAGER, trial=cara)
    client.force_login(manager)
    asked = client.post("/api/service-tokens/", _custody())
    assert asked.status_code == 302
    assert "/accounts/confirm/" in asked["Location"]
    assert not ApiToken.objects.exists()

    confirm_sign_in(client)
    made = client.post("/api/service-tokens/", _custody())
    secret = made.context["secret"]
    assert "shown only this once" in made.content.decode()
    token = ApiToken.objects.get()
    assert token.trial == cara
    assert token.created_by == manager
    assert token.user is not None
    assert token.user.police_area == police_area("southampton", "Southampton")
    listed = client.get("/api/service-tokens/").content.decode()
    assert "Southampton custody suite" in listed
    assert "enrolment:write, screening:write" in listed
    assert secret not in listed
    assert AuditEvent.objects.get(action="api.token_created").actor == manager

    trials = Client().get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [t["code"] for t in trials.json()["results"]] == ["CARA"]


def test_a_custody_token_without_an_area_is_refused_by_field_and_nothing_is_made(
    client: Client,
) -> None:
    client.force_login(make_user(Role.TRIAL_MANAGER, trial=make_trial("CARA")))
    confirm_sign_in(client)
    page = client.post("/api/service-tokens/", _custody(police_area="", scopes=[]))
    assert "Choose at least one thing the token may do" in page.content.decode()
    text = client.post("/api/service-tokens/", _custody(police_area="")).content.decode()
    assert "There is a problem" in text
    assert "acts in one police area" in text
    university = organisation("University of Cambridge", kind="university")
    page = client.post("/api/service-tokens/", _custody(organisation=university.pk))
    assert (
        "an area of Hampshire Constabulary, not of University of Cambridge" in page.content.decode()
    )
    assert not ApiToken.objects.exists()


def test_only_the_trials_managers_see_and_revoke_its_tokens(client: Client) -> None:
    cara, turning = make_trial("CARA"), make_trial("TURNING")
    manager = make_user(Role.TRIAL_MANAGER, trial=cara)
    client.force_login(manager)
    confirm_sign_in(client)
    secret = client.post("/api/service-tokens/", _custody()).context["secret"]
    token = ApiToken.objects.get()

    theirs = Client()
    theirs.force_login(make_user(Role.TRIAL_MANAGER, trial=turning))
    assert "Southampton custody suite" not in theirs.get("/api/service-tokens/").content.decode()
    assert theirs.post("/api/service-tokens/", {"revoke": token.pk}).status_code == 404
    officer = Client()
    officer.force_login(make_user(Role.OFFICER, trial=cara))
    assert officer.get("/api/service-tokens/").status_code == 403

    revoked = client.post("/api/service-tokens/", {"revoke": token.pk}, follow=True)
    assert "no longer works" in revoked.content.decode()
    answer = Client().get("/api/v1/trials/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 401
