"""Every page carries the CSP, no inline script, the permissions policy and no-store."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from common.navigation import nav_for
from common.roles import Role
from tests.support.factories import make_user
from tests.support.signin import confirm_sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home_trial")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _check(response: object, page: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp, page
    assert headers["Cache-Control"] == "no-store", page
    assert "camera=()" in headers["Permissions-Policy"], page
    body = response.content.decode()  # type: ignore[attr-defined]
    assert not INLINE_SCRIPT.search(body), page
    assert not EVENT_ATTRIBUTE.search(body), page


def test_sign_in_pages_carry_the_headers(client: Client) -> None:
    for page in ("/accounts/login/", "/accounts/password_reset/"):
        response = client.get(page)
        assert response.status_code == 200
        _check(response, page)


@pytest.mark.parametrize("role", list(Role))
def test_every_page_of_each_roles_menu_carries_the_headers(client: Client, role: Role) -> None:
    user = make_user(role, is_staff=role is Role.TRIAL_MANAGER)
    client.force_login(user)
    confirm_sign_in(client)
    items, _ = nav_for(user)
    pages = [item.url for item in items] + ["/accounts/security/", "/accounts/password_change/"]
    if role is Role.TRIAL_MANAGER:
        pages += ["/admin/", "/people/", f"/people/{user.pk}/", "/admin/common/auditevent/"]
    for page in pages:
        response = client.get(page, follow=True)  # a page with nothing to do sends the user on
        assert response.status_code == 200, page
        _check(response, page)
