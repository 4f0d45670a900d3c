"""A service token acts through an account of its own: only its scopes' roles, never a sign-in."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.selectors import ApiToken
from api.services import token_create_service, token_revoke
from common.backends import MembershipBackend
from common.exceptions import DomainError
from common.memberships import holds
from common.models import AuditEvent, User
from common.roles import Role
from common.selectors import people_list
from tests.support.factories import make_trial, make_user, organisation, police_area

pytestmark = pytest.mark.django_db


def _create(trial: Any, scopes: tuple[str, ...], **kw: Any) -> tuple[ApiToken, str]:
    return token_create_service(
        name="Hampshire custody",
        trial=trial,
        organisation=kw.pop("organisation", organisation("Hampshire Constabulary")),
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=90),
        by=kw.pop("by", None),
        **kw,
    )


def test_the_account_holds_exactly_the_roles_its_scopes_need_in_its_trial() -> None:
    cara, turning = make_trial("CARA"), make_trial("TURNING")
    area = police_area("southampton", "Southampton")
    token, _ = _create(cara, ("enrolment:write", "records:write"), police_area=area)
    account = token.user
    assert account is not None
    assert account.is_service_account
    assert account.police_area == area
    assert account.organisation == area.force
    assert holds(account, Role.OFFICER, cara)
    assert holds(account, Role.DATA_MANAGER, cara)
    assert not holds(account, Role.RESEARCHER, cara)
    assert not holds(account, Role.OFFICER, turning)
    assert not account.has_usable_password()
    assert not account.email
    made = AuditEvent.objects.get(action="user.service_account")
    assert made.detail["roles"] == ["Case officer", "Data manager"]


def test_a_custody_token_needs_an_area_of_its_own_force() -> None:
    cara = make_trial("CARA")
    with pytest.raises(DomainError) as refused:
        _create(cara, ("screening:write",))
    assert refused.value.field == "police_area"
    thames = police_area("oxford", "Oxford", "Thames Valley Police")
    with pytest.raises(DomainError, match="not of Hampshire Constabulary") as refused:
        _create(cara, ("screening:write",), police_area=thames)
    assert refused.value.field == "police_area"
    assert not ApiToken.objects.exists()
    assert not User.objects.filter(is_service_account=True).exists()


def test_a_research_token_is_not_tied_to_an_area() -> None:
    token, _ = _create(
        make_trial("CARA"),
        ("dataset:read",),
        organisation=organisation("University of Cambridge", kind="university"),
        police_area=police_area("southampton", "Southampton"),
    )
    assert token.user is not None
    assert token.user.police_area is None


def test_the_account_never_signs_in_and_cannot_be_given_a_password() -> None:
    token, _ = _create(make_trial("CARA"), ("records:write",))
    account = token.user
    assert account is not None
    assert not MembershipBackend().user_can_authenticate(account)
    account.set_password("a long enough password 42")
    with pytest.raises(IntegrityError), transaction.atomic():
        account.save()  # the database refuses it a usable password


def test_revoking_the_token_closes_its_account_and_the_people_pages_never_list_it() -> None:
    cara = make_trial("CARA")
    manager = make_user(Role.TRIAL_MANAGER, trial=cara)
    token, _ = _create(cara, ("records:write",), by=manager)
    assert token.user not in people_list(by=manager)
    assert token_revoke(token=token, by=manager)
    account = User.objects.get(api_tokens=token)
    assert not account.is_active
    closed = AuditEvent.objects.get(action="user.service_account_closed")
    assert closed.actor == manager
