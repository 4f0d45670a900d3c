"""Reports: the researcher's pages (trial managers too): reports, progress, downloads."""

from __future__ import annotations

import io
import zipfile

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.disclosure import DisclosureForm
from common.exceptions import DomainError
from common.permissions import request_user, role_required
from common.roles import Role
from common.signin_marks import passive, recent_sign_in_required
from common.trial_picker import current_trial, trial_shown
from reports.forms import ReportRequestForm
from reports.models import ReportRun, RunStatus
from reports.selectors import (
    data_dictionary_csv,
    reportable_trials,
    run_get,
    runs_visible_to,
    trial_summaries,
)
from reports.services import dataset_trial_ids, report_request, run_disclose

REPORT_ROLES = (Role.RESEARCHER, Role.TRIAL_MANAGER, Role.DATA_MONITORING_COMMITTEE)
# The pseudonymised dataset is for the analysts: the committee reads reports only.
DATASET_ROLES = (Role.RESEARCHER, Role.TRIAL_MANAGER)


def _dashboard(request: HttpRequest, form: ReportRequestForm, status: int = 200) -> HttpResponse:
    user, trial = request_user(request), current_trial(request)
    context = {  # the trial chosen in the navigation only (none chosen: nothing)
        "summaries": trial_summaries(user, trial=trial) if trial else [],
        "runs": runs_visible_to(user, trial=trial)[:50] if trial else [],
        "form": form,
    }
    return render(request, "reports/dashboard.html", context, status=status)


@role_required(*REPORT_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show recruitment, follow-up, the reports and the request form."""
    trials = reportable_trials(request_user(request))
    return _dashboard(request, ReportRequestForm(trials=trials, current=current_trial(request)))


@require_POST
@role_required(*REPORT_ROLES)
def request_report(request: HttpRequest) -> HttpResponse:
    """Ask for a report and go to its progress page; a bad request says why on the form."""
    form = ReportRequestForm(request.POST, trials=reportable_trials(request_user(request)))
    if not form.is_valid():
        return _dashboard(request, form, status=400)
    data = form.cleaned_data
    try:
        run = report_request(
            trial=data["trial"],
            window_months=data["window_months"],
            data_cut=data["data_cut"],
            report_type=data["report_type"],
            blinded=data["blinded"],
            by=request_user(request),
            justification=data["justification"],
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _dashboard(request, form, status=400)
    return redirect("reports:run", pk=run.pk)


@role_required(*REPORT_ROLES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one report: its metadata, its progress while built, then the downloads."""
    run = run_get(user=request_user(request), pk=pk)
    trial_shown(request, run.trial)
    return render(request, "reports/run.html", {"run": run})


@passive  # the page polls it every second: not the user being there
@role_required(*REPORT_ROLES)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the progress fragment htmx polls until the run is finished."""
    return render(
        request, "reports/_progress.html", {"run": run_get(user=request_user(request), pk=pk)}
    )


def _done(run: ReportRun) -> ReportRun:
    if run.status != RunStatus.DONE:
        raise Http404("This report is not ready.")
    return run


def _ask(request: HttpRequest, run: ReportRun, form: DisclosureForm, what: str) -> HttpResponse:
    contents = {
        "the report PDF": "The report's tables and figures: counts and estimates, no names.",
        "the dataset": "One pseudonymised row per man (trial ID, arm, outcomes), the flow counts "
        "and the data dictionary, as a zip.",
    }[what]
    context = {
        "form": form,
        "what": what,
        "contents": contents,
        "back": reverse("reports:run", args=[run.pk]),
    }
    status = 400 if form.is_bound else 200
    return render(request, "common/disclosure.html", context, status=status)


@role_required(*REPORT_ROLES)
def run_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask why, then send the report's PDF (never from a public media URL), logged."""
    run = _done(run_get(user=request_user(request), pk=pk))
    form = DisclosureForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _ask(request, run, form, "the report PDF")
    run_disclose(run=run, by=request_user(request), what="pdf", **form.disclosure())
    with run.pdf.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_name(run.pdf.name)}"'
    return response


def _name(path: str | None) -> str:
    return (path or "").rsplit("/", 1)[-1]


@role_required(*DATASET_ROLES)
@recent_sign_in_required
def run_dataset(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask why, then send the pseudonymised dataset, flow counts and dictionary as one zip."""
    run = _done(run_get(user=request_user(request), pk=pk))
    if run.blinded:
        # The dataset names the arms: it would unblind the committee the report was blinded for.
        raise Http404("A blinded report has no dataset download.")
    form = DisclosureForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _ask(request, run, form, "the dataset")
    with run.dataset_csv.open("rb") as handle:
        dataset = handle.read()
    run_disclose(
        run=run,
        by=request_user(request),
        what="dataset",
        participants=dataset_trial_ids(dataset),
        **form.disclosure(),
    )
    buffer = io.BytesIO()
    stem = _name(run.dataset_csv.name).removesuffix(".csv")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}/dataset.csv", dataset)
        if run.flow_csv:
            # cat dataset.csv flow.csv | sha256sum gives the cover's hash.
            with run.flow_csv.open("rb") as handle:
                archive.writestr(f"{stem}/flow.csv", handle.read())
        archive.writestr(f"{stem}/data_dictionary.csv", data_dictionary_csv())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{stem}-dataset.zip"'
    response["Cache-Control"] = "no-store"
    return response
