"""A report built by a real Celery worker on the configured broker, and a researcher's journey."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from playwright.sync_api import Page, expect

from common.models import AuditEvent
from common.roles import Role
from reports.models import ReportRun, RunStatus
from reports.services import report_request
from tests.reports.conftest import outcomes_trial, pdf_text
from tests.reports.support import CUT
from tests.support.browser import sign_in
from tests.support.factories import make_user
from tests.support.worker import celery_worker


def _wait(run: ReportRun, timeout: float = 90) -> ReportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            return run
        time.sleep(0.2)
    raise AssertionError(f"report still {run.status} at {run.progress}%: {run.stage}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_report_and_the_pdf_shows_the_headline_numbers() -> None:
    if os.environ.get("REQUIRE_REAL_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    live = outcomes_trial()
    with celery_worker():
        with transaction.atomic():  # queued on commit, as from a view
            run = report_request(
                trial=live.trial,
                window_months=12,
                data_cut=CUT,
                report_type="interim",
                blinded=False,
                by=None,
            )
        run = _wait(run)
        from config.celery import app

        # A second delivery of the same task leaves the finished report alone.
        assert app.send_task("reports.build", args=[run.pk]).get(timeout=60) == RunStatus.DONE
    assert run.status == RunStatus.DONE, run.error
    assert (run.progress, run.stage) == (100, "Done")
    text = " ".join(pdf_text(Path(run.pdf.path)).split())
    assert "CARA: Project CARA" in text or "Project CARA" in text
    assert "Interim" in text
    # Headline numbers: 1 of 4 vs 3 of 4 re-offended; harm totals 10 and 33 CCHI days.
    assert "25.0%" in text
    assert "75.0%" in text
    assert "33" in text
    # 4 men per arm: below the plan's minimum of 10, so the PDF says so instead of a "67% fewer".
    assert "Estimates are not shown: 4 analysed in" in re.sub(r"\s+", " ", text)
    assert run.dataset_sha256[:16] in text.replace(" ", "")


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_researcher_requests_a_report_watches_it_and_downloads_the_pdf(
    live_server: object, page: Page, tmp_path: Path
) -> None:
    live = outcomes_trial()
    researcher = make_user(Role.RESEARCHER, first_name="Rita", last_name="Researcher")
    url = live_server.url  # type: ignore[attr-defined]
    with celery_worker():
        sign_in(page, url, researcher)
        page.goto(f"{url}/research/")
        expect(page.get_by_role("heading", name="Request a report")).to_be_visible()
        page.get_by_label("Follow-up window (months)").fill("12")
        page.get_by_label("Data cut").fill(CUT.isoformat())
        page.get_by_role("radio", name="Interim").check()
        # An interim look is blinded for a researcher; the justification is asked only unblinded.
        page.get_by_label("Blinded (arms labelled A and B", exact=False).check()
        expect(page.get_by_label("Justification for unblinding")).to_be_hidden()
        page.get_by_role("button", name="Request the report").click()
        expect(page.get_by_role("heading", name="CARA: interim report (blinded)")).to_be_visible()
        expect(page.locator("#run-progress")).to_be_attached()
        download_button = page.get_by_test_id("download-pdf")
        expect(download_button).to_be_visible(timeout=90_000)
        download_button.click()
        # The download is a disclosure: the purpose and recipient are asked and logged first.
        page.get_by_label("Why is this leaving the application?").select_option("dmc_interim")
        page.get_by_label("Who will receive it").fill("the data monitoring committee")
        with page.expect_download() as info:
            page.get_by_role("button", name="Download").click()
        saved = tmp_path / "downloaded.pdf"
        info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert "Project CARA" in pdf_text(saved)
    run = ReportRun.objects.get()
    assert run.requested_by == researcher
    logged = AuditEvent.objects.get(action="disclosure.report_pdf")
    assert logged.actor == researcher
    assert logged.detail["recipient"] == "the data monitoring committee"
    assert live.trial.code == "CARA"
