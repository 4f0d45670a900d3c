"""Writes: keyword-only, typed, one transaction each with its audit event."""

from __future__ import annotations

import datetime
import logging
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.exceptions import DomainError, NotAllowedError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from outcomes.selectors import latest_data_cut
from reports.analysis.blinding import blind_dataset
from reports.analysis.dataset import dataset_sha256
from reports.analysis.export import dataset_csv, flow_csv
from reports.analysis.results import analyse
from reports.models import TRANSITIONS, ReportRun, ReportType, RunStatus
from reports.selectors import analysis_dataset
from reports.services.notifications import report_ready_queue
from reports.services.unblinding import is_interim_look, unblinding_check
from reports.version import software_version

if TYPE_CHECKING:
    from trial.models import Trial

logger = logging.getLogger(__name__)

# (progress %, stage shown to the researcher) at the start of each step of a build.
STAGES = {
    "claim": (5, "Starting"),
    "dataset": (10, "Reading the frozen follow-up snapshots of the data cut"),
    "analyse": (30, "Analysing: effects, confidence intervals, survival curves"),
    "render": (65, "Drawing the PDF: CONSORT diagram, charts and tables"),
    "save": (90, "Saving the report"),
    "done": (100, "Done"),
}


def _enqueue(run: ReportRun) -> None:
    """Queue the build once the run's row is committed, so the worker finds it."""
    from reports.tasks import report_build_task  # tasks import services; the reverse is lazy

    transaction.on_commit(partial(report_build_task.delay, run.pk))


def _transition(run: ReportRun, to: str) -> None:
    TRANSITIONS.check(
        run.status, to, lambda: NotAllowedError(f"A {run.status} report cannot become {to}.")
    )
    run.status = to


def report_request(
    *,
    trial: Trial,
    window_months: int,
    data_cut: datetime.date,
    report_type: str,
    blinded: bool,
    by: User | None,
    automatic: bool = False,
    queue: bool = True,
    today: datetime.date | None = None,
    justification: str = "",
) -> ReportRun:
    """Ask for a report; the same data at the same cut returns the run already made."""
    membership_check(by, trial, Role.RESEARCHER, Role.TRIAL_MANAGER, Role.DATA_MONITORING_COMMITTEE)
    if report_type not in ReportType.values:
        raise DomainError("A report is either interim or final.", field="report_type")
    # Building the dataset here refuses a bad request on the form, not in a failed PDF later.
    dataset = analysis_dataset(
        trial=trial, window_months=window_months, data_cut=data_cut, today=today
    )
    justification = unblinding_check(
        trial=trial, report_type=report_type, blinded=blinded, by=by, justification=justification
    )
    key = {
        "trial": trial,
        "window_months": window_months,
        "data_cut": data_cut,
        "report_type": report_type,
        "blinded": blinded,
        "dataset_sha256": dataset_sha256(dataset=dataset),
    }
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(**key).first()
        if run is None:
            try:
                with transaction.atomic():
                    run = ReportRun.objects.create(
                        **key,
                        automatic=automatic,
                        requested_by=by,
                        stage="Waiting for a worker",
                        unblinded_justification=justification,
                        committee_only=bool(justification),
                    )
            except IntegrityError:  # the same request, a moment earlier, won
                return ReportRun.objects.get(**key)
            audit_record(
                actor=by,
                action="report.request",
                obj=run,
                trial=trial.code,
                window_months=window_months,
                data_cut=data_cut.isoformat(),
                report_type=report_type,
                blinded=blinded,
                automatic=automatic,
                **({"unblinded_justification": justification} if justification else {}),
            )
        elif run.status == RunStatus.FAILED:
            _transition(run, RunStatus.QUEUED)
            run.progress, run.stage, run.error = 0, "Waiting for a worker", ""
            run.save(update_fields=["status", "progress", "stage", "error"])
            audit_record(actor=by, action="report.retry", obj=run)
        else:
            if justification:  # another member unblinded this look: their reason is kept too
                audit_record(
                    actor=by,
                    action="report.unblind",
                    obj=run,
                    unblinded_justification=justification,
                )
            return run  # same data, same cut: the numbers already built (or being built)
        if queue:
            _enqueue(run)
    return run


def _progress(run: ReportRun, step: str) -> None:
    """Show the step to the researcher at once (its own tiny write, outside any build)."""
    run.progress, run.stage = STAGES[step]
    ReportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        progress=run.progress, stage=run.stage
    )


def _claim(run: ReportRun) -> bool:
    """Mark the run running; say False when it is finished already (a second delivery)."""
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.is_finished:
            return False
        resumed = locked.status == RunStatus.RUNNING
        _transition(locked, RunStatus.RUNNING)
        locked.started_at = timezone.now()
        locked.progress, locked.stage = STAGES["claim"]
        locked.save(update_fields=["status", "started_at", "progress", "stage"])
        audit_record(actor=None, action="report.start", obj=locked, resumed=resumed)
    run.refresh_from_db()
    return True


def report_build(*, run: ReportRun) -> ReportRun:
    """Build a requested report: dataset of its cut, analysis, PDF; safe to call twice."""
    # WeasyPrint parses its stylesheets (and logs it) on import: only a build should pay that.
    from reports.rendering.pdf import html_to_pdf, render_report_html

    if not _claim(run):
        return run
    try:
        _progress(run, "dataset")
        dataset = analysis_dataset(
            trial=run.trial, window_months=run.window_months, data_cut=run.data_cut
        )
        if dataset_sha256(dataset=dataset) != run.dataset_sha256:
            raise DomainError(
                "The data of this cut changed after the report was requested (snapshots were "
                "frozen or corrected on the day of the cut). Request the report again."
            )
        _progress(run, "analyse")
        source = blind_dataset(dataset=dataset) if run.blinded else dataset
        # An interim look carries its monitoring block (boundary, z, what the committee does).
        interim = is_interim_look(trial=run.trial, report_type=run.report_type)
        source = replace(source, meta=replace(source.meta, interim=interim))
        results = analyse(dataset=source)
        _progress(run, "render")
        html = render_report_html(
            results=results,
            report_type=run.report_type,
            generated_at=run.requested_at,
            generated_by=_requester(run),
            blinded=run.blinded,
            dataset_sha256=run.dataset_sha256,
        )
        pdf = html_to_pdf(html)
        _progress(run, "save")
        return _finish(
            run,
            results=results,
            pdf=pdf,
            csv=dataset_csv(dataset=dataset),
            flow=flow_csv(dataset=dataset),
        )
    except DomainError as exc:
        return report_fail(run=run, message=exc.message)
    except Exception as exc:
        if _transient(exc):
            raise  # left running: the task retries and picks it up again
        report_fail(run=run, message=f"The report could not be built ({type(exc).__name__}).")
        raise


def _transient(exc: Exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def _requester(run: ReportRun) -> str:
    if run.requested_by is None:
        return "automatic report after a follow-up wave"
    return run.requested_by.get_full_name() or run.requested_by.get_username()


def _file_stem(run: ReportRun) -> str:
    blinded = "-blinded" if run.blinded else ""
    return (
        f"{run.trial.code}-{run.window_months}m-{run.data_cut.isoformat()}-{run.report_type}"
        f"{blinded}-{run.dataset_sha256[:12]}-run{run.pk}"
    )


def _finish(
    run: ReportRun, *, results: dict[str, object], pdf: bytes, csv: bytes, flow: bytes
) -> ReportRun:
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.RUNNING:
            return locked  # another delivery finished first: keep its files
        stem = _file_stem(locked)
        locked.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        locked.dataset_csv.save(f"{stem}.csv", ContentFile(csv), save=False)
        locked.flow_csv.save(f"{stem}-flow.csv", ContentFile(flow), save=False)
        _transition(locked, RunStatus.DONE)
        locked.results = results
        locked.progress, locked.stage = STAGES["done"]
        locked.software_version = software_version()
        locked.finished_at = timezone.now()
        locked.save()
        audit_record(
            actor=None, action="report.done", obj=locked, dataset_sha256=locked.dataset_sha256
        )
        if locked.automatic:
            report_ready_queue(run=locked)
    return locked


def report_fail(*, run: ReportRun, message: str) -> ReportRun:
    """Mark a run failed with a message the researcher can act on."""
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.is_finished:
            return locked
        _transition(locked, RunStatus.FAILED)
        locked.error = message
        locked.stage = "Failed"
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "error", "stage", "finished_at"])
        audit_record(actor=None, action="report.fail", obj=locked, error=message)
    return locked


def auto_reports_request(*, trial: Trial, today: datetime.date) -> list[ReportRun]:
    """Request a blinded interim report, for the committee, of each window with newer snapshots.

    Blinded (arms A and B): nobody should see the arms named at an interim look unless a
    committee member asks with a reason (reports/services/unblinding.py). Only snapshots frozen
    before today count, so a wave still running today cannot change the
    data of a report built from it. One trial per call: the daily job runs a task per trial.
    """
    requested: list[ReportRun] = []
    for months in (int(m) for m in trial.follow_up_months):
        latest = latest_data_cut(trial=trial, window_months=months, before=today)
        if latest is None:
            continue
        reported = (
            ReportRun.objects.filter(
                trial=trial,
                window_months=months,
                report_type=ReportType.INTERIM,
                blinded=True,
                data_cut__gte=latest,
            )
            .exclude(status=RunStatus.FAILED)
            .exists()
        )
        if reported:
            continue
        try:
            run = report_request(
                trial=trial,
                window_months=months,
                data_cut=latest,
                report_type=ReportType.INTERIM,
                blinded=True,
                by=None,
                automatic=True,
                today=today,
            )
        except DomainError as exc:  # e.g. one arm still empty: try again after the next wave
            logger.info("No automatic report for %s %sm: %s", trial.code, months, exc.message)
            continue
        requested.append(run)
    return requested
