"""Researcher pages: who may see them, the request form's refusals, progress and downloads."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.models import AuditEvent, User
from common.roles import Role
from reports.models import ReportRun, RunStatus
from reports.services import report_build, report_request
from tests.reports.conftest import outcomes_trial
from tests.reports.support import CUT, LiveTrial, built_run
from tests.support.factories import make_user
from tests.support.signin import confirm_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def live() -> LiveTrial:
    return outcomes_trial()


@pytest.fixture
def done(live: LiveTrial) -> ReportRun:
    run = report_request(
        trial=live.trial,
        window_months=12,
        data_cut=CUT,
        report_type="interim",
        blinded=False,
        by=None,
        queue=False,
    )
    return report_build(run=run)


WHY = {"purpose": "final_analysis", "recipient": "the trial statistician"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    confirm_sign_in(client)  # signed in a moment ago, so a download need not ask again
    return client


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COUNSELLOR, Role.DATA_MANAGER])
def test_other_roles_get_403_on_every_page_and_download(role: Role, done: ReportRun) -> None:
    client = _client(make_user(role))
    for name in ("dashboard", "request"):
        assert client.get(reverse(f"reports:{name}")).status_code in (403, 405)
    assert client.post(reverse("reports:request"), {}).status_code == 403
    for name in ("run", "progress", "pdf", "dataset"):
        assert client.get(reverse(f"reports:{name}", args=[done.pk])).status_code == 403


@pytest.mark.smoke
def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_dashboard_shows_recruitment_windows_and_reports(
    live: LiveTrial, done: ReportRun
) -> None:
    page = _client(make_user(Role.RESEARCHER)).get(reverse("reports:dashboard")).content.decode()
    counts = live.arm_counts()
    assert f">{counts['cara']}</td>" in page
    assert "12-month window closed for <strong>8</strong>" in page
    assert reverse("reports:pdf", args=[done.pk]) in page
    assert "Request the report" in page
    for personal in ("Daniel", "Marsh", "example.org", "07700"):
        assert personal not in page


def test_a_trial_manager_requests_a_report_and_follows_it_to_the_download(
    live: LiveTrial, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = _client(make_user(Role.TRIAL_MANAGER))
    live.trial.status = "closed"  # a final report, unblinded: the trial's follow-up is over
    live.trial.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"),
            {
                "trial": live.trial.pk,
                "window_months": 12,
                "data_cut": CUT.isoformat(),
                "report_type": "final",
            },
        )
    run = ReportRun.objects.get()
    assert response["Location"] == reverse("reports:run", args=[run.pk])
    fragment = client.get(reverse("reports:progress", args=[run.pk])).content.decode()
    assert "Download the PDF" in fragment
    assert "hx-trigger" not in fragment  # finished: polling stops
    asked = client.get(reverse("reports:pdf", args=[run.pk]))
    assert "Who will receive it" in asked.content.decode()
    pdf = client.post(reverse("reports:pdf", args=[run.pk]), WHY)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert run.requested_by is not None


def test_a_running_report_shows_a_progress_bar_that_polls(live: LiveTrial) -> None:
    run = report_request(
        trial=live.trial,
        window_months=12,
        data_cut=CUT,
        report_type="interim",
        blinded=False,
        by=None,
        queue=False,
    )
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, progress=30, stage="Analysing"
    )
    fragment = (
        _client(make_user(Role.RESEARCHER))
        .get(reverse("reports:progress", args=[run.pk]))
        .content.decode()
    )
    assert 'aria-valuenow="30"' in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert "Analysing" in fragment


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"data_cut": "FUTURE"}, "is in the future"),
        ({"window_months": 18}, "no 18-month follow-up window"),
        ({"window_months": 24}, "nothing to analyse at this cut"),
    ],
)
def test_bad_requests_are_refused_on_the_form(
    live: LiveTrial, change: dict[str, Any], message: str
) -> None:
    data = {
        "trial": live.trial.pk,
        "window_months": 12,
        "data_cut": CUT.isoformat(),
        "report_type": "interim",
        **change,
    }
    if data["data_cut"] == "FUTURE":
        data["data_cut"] = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = _client(make_user(Role.RESEARCHER)).post(reverse("reports:request"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportRun.objects.exists()


def test_the_dataset_download_is_pseudonymised_with_its_dictionary(
    live: LiveTrial, done: ReportRun
) -> None:
    researcher = make_user(Role.RESEARCHER)
    response = _client(researcher).post(reverse("reports:dataset", args=[done.pk]), WHY)
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert [n.rsplit("/", 1)[-1] for n in names] == [
        "data_dictionary.csv",
        "dataset.csv",
        "flow.csv",
    ]
    dataset = archive.read(names[1])
    rows = list(csv.DictReader(io.StringIO(dataset.decode())))
    assert {r["trial_id"] for r in rows} <= {c.pseudonym for c in live.cases}
    assert len(rows) == 8
    text = dataset.decode()
    for personal in ("Daniel", "Marsh", "Victoria", "example.org", "07700", "High Street"):
        assert personal not in text
    import hashlib

    # The cover's hash: cat dataset.csv flow.csv | sha256sum
    assert hashlib.sha256(dataset + archive.read(names[2])).hexdigest() == done.dataset_sha256
    dictionary = archive.read(names[0]).decode()
    assert dictionary.startswith("column,type,meaning")
    # s.62: who, what (the trial IDs, not names), to whom and why, searchable by each case.
    logged = AuditEvent.objects.get(action="disclosure.report_dataset")
    assert logged.actor == researcher
    assert logged.detail["purpose"] == "final_analysis"
    assert logged.detail["recipient"] == "the trial statistician"
    assert sorted(logged.mentions.values_list("subject", flat=True)) == sorted(
        r["trial_id"] for r in rows
    )


def test_a_download_without_a_purpose_is_refused_and_not_logged(done: ReportRun) -> None:
    client = _client(make_user(Role.RESEARCHER))
    response = client.post(reverse("reports:dataset", args=[done.pk]), {"purpose": "other"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "the purpose &#x27;Other&#x27; needs a justification" in page
    assert "Say who will receive it." in page
    assert not AuditEvent.objects.filter(action__startswith="disclosure.").exists()


def test_a_blinded_report_has_no_dataset_download(live: LiveTrial) -> None:
    run = built_run(live.trial, blinded=True)
    client = _client(make_user(Role.RESEARCHER))
    assert client.post(reverse("reports:pdf", args=[run.pk]), WHY).status_code == 200
    assert client.post(reverse("reports:dataset", args=[run.pk]), WHY).status_code == 404
