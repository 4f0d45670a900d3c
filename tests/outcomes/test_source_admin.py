"""The admin never shows an HTTP source's bearer token: it can be replaced or removed, not read."""

from __future__ import annotations

import pytest
from django.test import Client

from common.roles import Role
from outcomes.models import RecordSource
from outcomes.services import source_create
from tests.support.factories import make_user

from .support import make_trial

SECRET = "s3cret-bearer-token-for-the-police-records-api"


def _form(source: RecordSource, **changes: str) -> dict[str, str]:
    data = {
        "trial": str(source.trial_id),
        "name": source.name,
        "kind": source.kind,
        "is_active": "on",
        "folder": source.folder,
        "url": source.url,
        "new_token": "",
        "timeout_seconds": "30",
        "max_attempts": "4",
        "backoff_seconds": "2",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_the_token_is_never_displayed_and_blank_keeps_it(client: Client) -> None:
    trial = make_trial()
    source = source_create(
        trial=trial,
        name="Records API",
        kind="http",
        url="https://records.example.police.uk/reoffences",
        token=SECRET,
        by=None,
    )
    manager = make_user(Role.TRIAL_MANAGER, is_staff=True, is_superuser=True)
    client.force_login(manager)
    url = f"/admin/outcomes/recordsource/{source.pk}/change/"

    page = client.get(url).content.decode()
    assert "Bearer token" in page
    assert SECRET not in page
    listing = client.get("/admin/outcomes/recordsource/").content.decode()
    assert SECRET not in listing
    assert "Token stored" in listing

    assert (
        client.post(url, _form(source, url="https://records.example.police.uk/v2")).status_code
        == 302
    )
    source.refresh_from_db()
    assert (source.url, source.token) == ("https://records.example.police.uk/v2", SECRET)

    assert client.post(url, _form(source, new_token="a-new-token")).status_code == 302
    source.refresh_from_db()
    assert source.token == "a-new-token"

    assert client.post(url, _form(source, clear_token="on")).status_code == 302
    source.refresh_from_db()
    assert source.token == ""
