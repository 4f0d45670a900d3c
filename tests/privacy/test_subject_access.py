"""A subject access export holds the man's record, allocation and access log, never the victim's."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from common.models import AuditEvent
from common.roles import Role
from tests.reports.support import live_trial
from tests.support.factories import make_user
from tests.support.signin import confirm_sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home_trial")]


def test_the_export_is_his_record_and_who_looked_and_is_logged() -> None:
    live = live_trial()
    case = live.enrol()
    officer = Client()
    officer.force_login(live.officer)
    officer.get(reverse("participants:case", args=[case.pk]))
    dpo = make_user(Role.DATA_PROTECTION_OFFICER, first_name="Dee", last_name="Pio")
    client = Client()
    client.force_login(dpo)
    confirm_sign_in(client)
    form = client.get(reverse("privacy:subject_access")).content.decode()
    assert 'value="the data subject"' in form
    response = client.post(
        reverse("privacy:subject_access"),
        {
            "person": case.custody_reference,
            "purpose": "subject_access",
            "recipient": "the data subject",
        },
    )
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "README.txt",
        "access_log.csv",
        "allocation.json",
        "record.json",
        "workshops.csv",
    ]
    record = json.loads(archive.read("record.json"))
    assert record["trial_id"] == case.pseudonym
    assert record["given_name"] == "Daniel"
    assert record["pnc_id"] == case.pnc_id
    allocation = json.loads(archive.read("allocation.json"))
    assert allocation["group"] in {"CARA workshops", "Caution only"}
    log = list(csv.DictReader(io.StringIO(archive.read("access_log.csv").decode())))
    assert ("participant.view", live.officer.get_full_name() or live.officer.username) in {
        (row["what"], row["who"]) for row in log
    }
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert "Victoria" not in everything
    assert "Secretname" not in everything
    logged = AuditEvent.objects.get(action="disclosure.subject_access")
    assert (logged.actor, logged.subject, logged.detail["recipient"]) == (
        dpo,
        case.pseudonym,
        "the data subject",
    )


def test_an_unknown_person_gets_a_message_and_nothing_is_logged() -> None:
    client = Client()
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER))
    confirm_sign_in(client)
    response = client.post(
        reverse("privacy:subject_access"),
        {"person": "CARA-9999", "purpose": "subject_access", "recipient": "him"},
    )
    assert response.status_code == 400
    assert "No case has the trial ID CARA-9999." in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="disclosure.").exists()
