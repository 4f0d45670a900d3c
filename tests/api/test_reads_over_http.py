"""What officers' and researchers' systems read over HTTP: cases, snapshots, runs, datasets."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.utils import timezone

from api.selectors import ApiToken
from api.services import token_create_service, token_digest
from common.models import AuditEvent, PoliceArea, User
from common.roles import Role
from outcomes.models import Snapshot
from reports.services import report_build, report_request
from tests.reports.conftest import outcomes_trial
from tests.reports.support import CUT, LiveTrial, built_run
from tests.support.factories import make_user, organisation, police_area
from tests.support.roles import roles_restore
from trial.models import Trial

PROBLEM = "application/problem+json"


@pytest.fixture
def live(transactional_db: None) -> LiveTrial:
    roles_restore()  # an earlier transactional test flushed the groups
    return outcomes_trial()


def _service(trial: Trial, *scopes: str, area: PoliceArea | None = None) -> str:
    org = area.force if area else organisation("University of Cambridge", kind="university")
    _, secret = token_create_service(
        name="University R scripts",
        trial=trial,
        organisation=org,
        police_area=area,
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=30),
        by=make_user(Role.TRIAL_MANAGER, trial=trial),
    )
    return secret


def _get(live_server: Any, path: str, secret: str, **kw: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {secret}", **kw.pop("headers", {})}
    return requests.get(
        f"{live_server.url}/api/v1/trials/CARA{path}", headers=headers, timeout=60, **kw
    )


def test_an_officer_reads_a_cases_status_and_workshops_without_personal_data(
    live_server: Any, live: LiveTrial, personal_token: Callable[[User], str]
) -> None:
    case = live.cases[0]
    assert case.allocation is not None
    answer = _get(live_server, f"/cases/{case.pseudonym}/", personal_token(live.officer))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["case"], body["status"], body["arm"]) == (
        case.pseudonym,
        "enrolled",
        case.allocation.arm.code,
    )
    assert body["workshops"]["parts_attended"] == []
    assert body["workshops"]["in_workshops"] is (case.allocation.arm.code == "cara")
    assert "Daniel" not in answer.text
    assert "Marsh" not in answer.text
    stranger = make_user(
        Role.OFFICER, trial=live.trial, police_area=police_area("portsmouth", "Portsmouth")
    )
    refused = _get(live_server, f"/cases/{case.pseudonym}/", personal_token(stranger))
    assert refused.status_code == 404, refused.text
    assert case.pseudonym not in refused.text


def test_snapshots_at_a_cut_are_rows_by_trial_id(live_server: Any, live: LiveTrial) -> None:
    secret = _service(live.trial, "snapshots:read")
    answer = _get(live_server, "/snapshots/", secret, params={"window": 12, "cut": str(CUT)})
    assert answer.status_code == 200, answer.text
    rows = answer.json()["results"]
    frozen = Snapshot.objects.filter(window_months=12, data_cut__lte=CUT)
    assert sorted(r["trial_id"] for r in rows) == sorted(
        frozen.values_list("allocation__participant_key", flat=True)
    )
    assert sum(r["reoffended"] for r in rows) == 4  # CARA 1 and control 3, as frozen
    assert not any("Daniel" in str(r) for r in rows)
    early = _get(live_server, "/snapshots/", secret, params={"window": 12, "cut": "2020-01-01"})
    assert early.json()["results"] == []
    bad = _get(live_server, "/snapshots/", secret, params={"window": 7, "cut": "soon"})
    assert bad.status_code == 400, bad.text
    assert set(bad.json()["errors"]) == {"window", "cut"}


def test_a_researcher_lists_runs_and_downloads_the_dataset_with_a_recorded_reason(
    live_server: Any, live: LiveTrial, personal_token: Callable[[User], str]
) -> None:
    researcher = make_user(Role.RESEARCHER, trial=live.trial)
    run = report_request(
        trial=live.trial,
        window_months=12,
        data_cut=CUT,
        report_type="interim",
        blinded=False,
        by=None,  # the daily task's report (an unblinded look by a researcher is refused)
        queue=False,
    )
    run = report_build(run=run)
    secret = personal_token(researcher)
    runs = _get(live_server, "/report-runs/", secret)
    assert runs.status_code == 200, runs.text
    assert [(r["id"], r["status"]) for r in runs.json()["results"]] == [(run.pk, "done")]
    status = _get(live_server, f"/report-runs/{run.pk}/", secret)
    assert status.json()["dataset_sha256"] == run.dataset_sha256

    unexplained = _get(live_server, "/dataset/", secret, params={"run": run.pk})
    assert unexplained.status_code == 400, unexplained.text
    assert "X-Justification" in unexplained.json()["errors"]
    assert not AuditEvent.objects.filter(action="disclosure.report_dataset").exists()

    reason = "Final analysis in R by the trial statistician"
    answer = _get(
        live_server,
        "/dataset/",
        secret,
        params={"run": run.pk},
        headers={"X-Justification": reason},
    )
    assert answer.status_code == 200, answer.text
    with run.dataset_csv.open("rb") as handle:
        assert answer.content == handle.read()  # the bytes the page's zip holds
    ids = sorted({row["trial_id"] for row in csv.DictReader(io.StringIO(answer.text))})
    event = AuditEvent.objects.get(action="disclosure.report_dataset")
    assert event.actor == researcher
    assert reason in str(event.detail)
    assert ids
    assert all(i in str(event.detail) for i in ids)


def test_the_universitys_service_token_pulls_the_dataset_recorded_under_its_account(
    live_server: Any, live: LiveTrial
) -> None:
    run = built_run(live.trial)
    secret = _service(live.trial, "dataset:read", "reports:read")
    runs = _get(live_server, "/report-runs/", secret)
    assert [r["id"] for r in runs.json()["results"]] == [run.pk], runs.text
    answer = _get(
        live_server, "/dataset/", secret, params={"run": run.pk}, headers={"X-Justification": "R"}
    )
    assert answer.status_code == 200, answer.text
    token = ApiToken.objects.get(digest=token_digest(secret))
    event = AuditEvent.objects.get(action="disclosure.report_dataset")
    assert token.user is not None
    assert event.actor == token.user
    assert token.user.is_service_account
    assert token.prefix in str(event.detail)  # which token took it


def test_a_service_token_reads_only_what_its_account_may(live_server: Any, live: LiveTrial) -> None:
    """A custody token reads its own area's cases; a research token has no officer's reads."""
    case = live.cases[0]
    custody = _service(live.trial, "screening:write", area=live.officer.police_area)
    answer = _get(live_server, f"/cases/{case.pseudonym}/", custody)
    assert answer.status_code == 200, answer.text
    assert "Daniel" not in answer.text
    elsewhere = _service(
        live.trial, "enrolment:write", area=police_area("portsmouth", "Portsmouth")
    )
    refused = _get(live_server, f"/cases/{case.pseudonym}/", elsewhere)
    assert refused.status_code == 404, refused.text
    research = _service(live.trial, "dataset:read", "reports:read")
    refused = _get(live_server, f"/cases/{case.pseudonym}/", research)
    assert refused.status_code == 403, refused.text
    assert refused.headers["Content-Type"].startswith(PROBLEM)
    assert set(refused.json()) == {"type", "title", "status", "detail"}
