"""The follow-up admin saves through the services: their checks, their audit event, no deletes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from common.models import AuditEvent, User
from common.roles import Role
from outcomes.models import HarmIndexVersion, OffenceCodeMapping, RecordSource, TrialHarmIndex
from outcomes.services import offence_code_map, source_create
from tests.support.factories import make_user

from .support import make_trial

pytestmark = pytest.mark.django_db

ADD = "/admin/outcomes/recordsource/add/"


def _manager(client: Client) -> User:
    manager = make_user(Role.TRIAL_MANAGER, is_staff=True, is_superuser=True)
    client.force_login(manager)
    return manager


def _source(trial_id: int, **fields: str) -> dict[str, str]:
    data = {
        "trial": str(trial_id),
        "name": "Records API",
        "kind": "http",
        "is_active": "on",
        "folder": "",
        "url": "",
        "new_token": "",
        "timeout_seconds": "30",
        "max_attempts": "4",
        "backoff_seconds": "2",
    }
    return {**data, **fields}


@pytest.mark.parametrize(
    "url",
    [
        "https://records.attacker.example/api",  # not on the allow-list
        "http://records.example.police.uk/api",  # on the list for https only
        "https://169.254.169.254/latest/meta-data/",  # link-local: the cloud's metadata
        "https://10.0.0.5/records",  # a private range the list does not name
    ],
)
def test_a_source_url_off_the_allow_list_is_refused_at_its_field(client: Client, url: str) -> None:
    trial = make_trial()
    _manager(client)
    page = client.post(ADD, _source(trial.pk, url=url))
    assert page.status_code == 200  # the form again, with the error by the URL
    errors = page.context["adminform"].form.errors
    assert "url" in errors, errors
    assert not RecordSource.objects.filter(name="Records API").exists()
    assert not AuditEvent.objects.filter(action="source.create").exists()


def test_a_folder_outside_the_drop_root_is_refused(client: Client, tmp_path: Path) -> None:
    trial = make_trial()
    _manager(client)
    page = client.post(ADD, _source(trial.pk, kind="folder", name="Drop", folder="/etc"))
    assert page.status_code == 200
    assert "folder" in page.context["adminform"].form.errors
    assert not RecordSource.objects.filter(name="Drop").exists()


def test_an_allowed_source_is_created_by_the_service_with_its_audit_event(client: Client) -> None:
    trial = make_trial()
    manager = _manager(client)
    url = "https://records.example.police.uk/reoffences"
    assert client.post(ADD, _source(trial.pk, url=url, new_token="t0ken")).status_code == 302
    source = RecordSource.objects.get(name="Records API")
    assert (source.url, source.token) == (url, "t0ken")
    event = AuditEvent.objects.get(action="source.create", object_id=str(source.pk))
    assert event.actor == manager

    change = f"/admin/outcomes/recordsource/{source.pk}/change/"
    assert client.post(change, _source(trial.pk, url=url, max_attempts="6")).status_code == 302
    event = AuditEvent.objects.get(action="source.update", object_id=str(source.pk))
    assert event.actor == manager
    assert "max_attempts" in str(event.detail)
    # Pointing it elsewhere afterwards is refused the same way as at creation.
    moved = client.post(change, _source(trial.pk, url="https://127.0.0.2/x"))
    assert "url" in moved.context["adminform"].form.errors
    source.refresh_from_db()
    assert source.url == url


def test_nothing_is_deleted_from_the_follow_up_admin(client: Client, tmp_path: Path) -> None:
    trial = make_trial()
    _manager(client)
    source = source_create(
        trial=trial, name="Drop", kind="folder", folder=str(tmp_path), url="", token="", by=None
    )
    mapping = offence_code_map(from_code="X1", to_code="046/00", reason="local code", by=None)
    for path in (
        f"/admin/outcomes/recordsource/{source.pk}/delete/",
        f"/admin/outcomes/offencecodemapping/{mapping.pk}/delete/",
    ):
        assert client.post(path, {"post": "yes"}).status_code == 403
    assert RecordSource.objects.filter(pk=source.pk).exists()
    assert OffenceCodeMapping.objects.filter(pk=mapping.pk).exists()


def test_a_pin_needs_a_reason_and_is_audited_with_it(client: Client) -> None:
    trial = make_trial()
    manager = _manager(client)
    version = HarmIndexVersion.objects.get(is_current=True)
    add = "/admin/outcomes/trialharmindex/add/"
    page = client.post(add, {"trial": trial.pk, "version": version.pk, "reason": "  "})
    assert "reason" in page.context["adminform"].form.errors
    assert not TrialHarmIndex.objects.filter(trial=trial).exists()

    reason = "The protocol names CCHI 2020."
    data = {"trial": trial.pk, "version": version.pk, "reason": reason}
    assert client.post(add, data).status_code == 302
    event = AuditEvent.objects.get(action="harm_index.pin")
    assert (event.actor, event.detail["reason"]) == (manager, reason)


def test_a_mapping_to_a_code_no_catalogue_holds_is_refused(client: Client) -> None:
    manager = _manager(client)
    add = "/admin/outcomes/offencecodemapping/add/"
    data = {"from_code": "LOCAL-7", "to_code": "999/99", "reason": "force code"}
    page = client.post(add, data)
    assert "to_code" in page.context["adminform"].form.errors
    assert not OffenceCodeMapping.objects.exists()

    assert client.post(add, {**data, "to_code": "046/00"}).status_code == 302
    event = AuditEvent.objects.get(action="offence_code.map")
    assert event.actor == manager
    assert OffenceCodeMapping.objects.get().to_code == "046/00"
