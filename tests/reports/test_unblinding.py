"""Interim looks: blinded for everyone; unblinded only for the committee, with a reason, audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from common.exceptions import DomainError
from common.models import AuditEvent, OutboxMessage, User
from common.roles import Role
from reports.models import ReportRun
from reports.selectors import runs_visible_to
from reports.services import report_request
from reports.services.notifications import report_ready_queue, report_recipients
from reports.services.runs import auto_reports_request
from tests.reports.conftest import outcomes_trial
from tests.reports.support import CUT, LiveTrial
from tests.support.factories import make_trial, make_user

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]
REASON = "Two victim-safety events in arm A: the committee must know which arm."


@pytest.fixture
def live() -> LiveTrial:
    return outcomes_trial()


def _ask(live: LiveTrial, by: User, **kwargs: Any) -> ReportRun:
    values = {"window_months": 12, "data_cut": CUT, "report_type": "interim", "blinded": False}
    return report_request(trial=live.trial, by=by, queue=False, **{**values, **kwargs})


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, live: LiveTrial, **fields: str) -> Any:
    body = {"trial": live.trial.pk, "window_months": 12, "data_cut": CUT.isoformat()}
    return client.post(reverse("reports:request"), {**body, "report_type": "interim", **fields})


def test_a_researchers_unblinded_interim_report_is_refused_and_nothing_is_written(
    live: LiveTrial,
) -> None:
    researcher = make_user(Role.RESEARCHER, trial=live.trial)
    with pytest.raises(DomainError) as refused:
        _ask(live, researcher, justification=REASON)
    assert refused.value.field == "blinded"
    assert "data monitoring committee" in refused.value.message
    assert not ReportRun.objects.exists()
    # Blinded, the same researcher gets the interim look.
    assert _ask(live, researcher, blinded=True).blinded


def test_a_final_report_before_the_trial_closed_is_an_interim_look(live: LiveTrial) -> None:
    researcher = make_user(Role.RESEARCHER, trial=live.trial)
    with pytest.raises(DomainError):
        _ask(live, researcher, report_type="final")
    live.trial.status = "closed"
    live.trial.save(update_fields=["status"])
    assert not _ask(live, researcher, report_type="final").blinded


def test_a_committee_member_without_a_justification_is_refused(live: LiveTrial) -> None:
    member = make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial)
    for said in ("", "because", "   short   reason   "):
        with pytest.raises(DomainError) as refused:
            _ask(live, member, justification=said)
        assert refused.value.field == "justification"
        assert "Justification for unblinding" in refused.value.message
    assert not ReportRun.objects.exists()


def test_another_trials_committee_member_cannot_unblind_this_one(live: LiveTrial) -> None:
    elsewhere = make_user(Role.DATA_MONITORING_COMMITTEE, trial=make_trial("WMP"))
    with pytest.raises(DomainError):
        _ask(live, elsewhere, justification=REASON)


def test_a_committee_members_justified_unblinded_report_is_kept_encrypted_and_audited(
    live: LiveTrial,
) -> None:
    member = make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial)
    run = _ask(live, member, justification=REASON)
    run.refresh_from_db()
    assert (run.blinded, run.unblinded_justification) == (False, REASON)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unblinded_justification FROM reports_reportrun WHERE id = %s", [run.pk]
        )
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:")
    assert "victim" not in stored
    event = AuditEvent.objects.get(action="report.request", object_id=str(run.pk))
    assert event.actor == member
    assert event.detail["unblinded_justification"] == REASON
    # A second member asking for the same look gets the same run, and their reason is kept too.
    other = make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial)
    again = _ask(live, other, justification="Confirming the safety signal seen at look two.")
    assert again.pk == run.pk
    unblind = AuditEvent.objects.get(action="report.unblind", object_id=str(run.pk))
    assert unblind.actor == other


def test_the_form_names_the_justification_field_and_the_server_decides(live: LiveTrial) -> None:
    member = make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial)
    client = _client(member)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Justification for unblinding" in page
    assert 'data-shown-unless-checked="id_blinded"' in page

    refused = _post(client, live, justification="too short")
    assert refused.status_code == 400
    assert "at least 20 characters" in refused.content.decode()
    assert not ReportRun.objects.exists()

    asked = _post(client, live, justification=REASON)
    run = ReportRun.objects.get()
    assert asked["Location"] == reverse("reports:run", args=[run.pk])
    assert REASON in client.get(reverse("reports:run", args=[run.pk])).content.decode()


def test_a_researcher_posting_an_unblinded_interim_is_told_to_tick_blinded(
    live: LiveTrial,
) -> None:
    client = _client(make_user(Role.RESEARCHER, trial=live.trial))
    refused = _post(client, live, justification=REASON)
    assert refused.status_code == 400
    assert "tick Blinded" in refused.content.decode()
    assert not ReportRun.objects.exists()


def test_the_committee_opens_reports_but_never_the_dataset(live: LiveTrial) -> None:
    member = make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial)
    run = _ask(live, member, justification=REASON)
    client = _client(member)
    assert client.get(reverse("reports:run", args=[run.pk])).status_code == 200
    assert client.get(reverse("reports:dataset", args=[run.pk])).status_code == 403


def test_the_automatic_interim_report_is_blinded_and_addressed_to_the_committee_only(
    live: LiveTrial, django_capture_on_commit_callbacks: Capture
) -> None:
    member = make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial, email="dora@dmc.example")
    make_user(Role.RESEARCHER, trial=live.trial, email="rita@cam.example")
    with django_capture_on_commit_callbacks(execute=False):
        (run,) = auto_reports_request(trial=live.trial, today=CUT + datetime.timedelta(days=1))
    assert run.blinded
    assert run.automatic
    with transaction.atomic():
        report_ready_queue(run=run)
    (notice,) = OutboxMessage.objects.filter(kind="reports.report_ready")
    assert notice.recipients == {
        "role": Role.DATA_MONITORING_COMMITTEE.value,
        "trial": live.trial.pk,
    }
    assert report_recipients(run=run) == [member.email]


def test_a_look_the_committee_unblinded_is_hidden_from_researchers(live: LiveTrial) -> None:
    member = make_user(Role.DATA_MONITORING_COMMITTEE, trial=live.trial)
    researcher = make_user(Role.RESEARCHER, trial=live.trial)
    manager = make_user(Role.TRIAL_MANAGER, trial=live.trial)
    unblinded = _ask(live, member, justification=REASON)
    blinded = _ask(live, member, blinded=True)
    assert set(runs_visible_to(researcher)) == {blinded}
    assert set(runs_visible_to(member)) == {blinded, unblinded}
    assert set(runs_visible_to(manager)) == {blinded, unblinded}
    assert _client(researcher).get(reverse("reports:run", args=[unblinded.pk])).status_code == 404
