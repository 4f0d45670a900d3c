"""Follow-up: pages of the data manager (trial managers hold the same page permission)."""

from __future__ import annotations

from typing import Literal, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.keyset import keyset_page
from common.permissions import request_user, role_required
from common.roles import Role
from common.signin_marks import recent_sign_in_required
from common.trial_picker import current_trial
from outcomes import selectors
from outcomes.forms import RecordForm, UploadForm
from outcomes.services import (
    record_enter,
    run_file_open,
    source_pull_request,
    upload_receive,
    upload_size_check,
)

data_pages = role_required(Role.DATA_MANAGER, Role.TRIAL_MANAGER)
RUNS_PAGE = 50


@data_pages
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the shown trial's sources, import runs, unmatched, unscored and snapshot counts."""
    user, trial = request_user(request), current_trial(request)
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "trials": selectors.dashboard_trials(user=user, trial=trial),
            "runs": keyset_page(
                selectors.recent_runs(user=user, trial=trial),
                ordering=selectors.RUN_ORDER,
                cursor=request.GET.get("cursor"),
                size=RUNS_PAGE,
            ),
            "upload_form": UploadForm(user=user, current=trial),
            "upload_columns": selectors.UPLOAD_COLUMNS,
        },
    )


# Exempt from the CSRF middleware only because it reads the whole body (request.POST) before
# any view runs: the size is checked first, on the declared length, and the token is then
# checked by csrf_protect on _upload before anything is done. Under WSGI the body cannot be
# longer than its Content-Length, so nothing larger than the limit is ever read.
@csrf_exempt
@data_pages
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Refuse an extract over the size limit unread; otherwise receive it."""
    try:
        upload_size_check(size=int(request.META.get("CONTENT_LENGTH") or 0))
    except (DomainError, ValueError) as exc:
        text = exc.message if isinstance(exc, DomainError) else "The upload has no valid length."
        messages.error(request, text)
        return redirect("outcomes:dashboard")
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    """Receive a CSV extract and queue its import."""
    form = UploadForm(request.POST, request.FILES, user=request_user(request))
    if not form.is_valid():
        problems = form.errors.get("extract") or ["Choose a trial and a CSV file to upload."]
        messages.error(request, str(problems[0]))
        return redirect("outcomes:dashboard")
    run = upload_receive(
        trial=form.cleaned_data["trial"],
        extract=form.cleaned_data["extract"],
        by=request_user(request),
    )
    messages.success(request, f"{run.label} received: its import is on the list below.")
    return redirect("outcomes:dashboard")


@data_pages
def enter(request: HttpRequest) -> HttpResponse:
    """Enter one re-offence record by hand."""
    form = RecordForm(
        request.POST or None, user=request_user(request), current=current_trial(request)
    )
    if request.method == "POST" and form.is_valid():
        values = {k: str(v) for k, v in form.cleaned_data.items() if k != "trial"}
        try:
            record_enter(
                trial=form.cleaned_data["trial"],
                values=values,
                by=request_user(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Record {values['record_id']} added.")
            return redirect("outcomes:dashboard")
    return render(request, "outcomes/enter.html", {"form": form})


@data_pages
@require_POST
def pull(request: HttpRequest, source_id: int) -> HttpResponse:
    """Queue a pull of one source now."""
    source = selectors.source_get(user=request_user(request), pk=source_id)
    source_pull_request(source=source, by=request_user(request))
    messages.info(request, f"{source.name} will be read now; refresh to see its runs.")
    return redirect("outcomes:dashboard")


@data_pages
def error_report(request: HttpRequest, run_id: int) -> HttpResponse:
    """Download the row-by-row error report of a refused file."""
    return _kept_file(request, run_id, "errors")


@data_pages
@recent_sign_in_required
def kept_extract(request: HttpRequest, run_id: int) -> HttpResponse:
    """Download a run's kept extract (a refused file, to see what was wrong): audited."""
    return _kept_file(request, run_id, "extract")


def _kept_file(
    request: HttpRequest, run_id: int, which: Literal["extract", "errors"]
) -> HttpResponse:
    run = selectors.import_run_get(user=request_user(request), pk=run_id)
    try:
        handle, name = run_file_open(run=run, which=which, by=request_user(request))
    except FileNotFoundError:
        raise Http404("This run keeps no such file (files are removed after a while).") from None
    # Streamed from the sealed file as it is decrypted: no clear copy is written anywhere.
    kind = "application/json" if name.endswith(".json") else "text/csv; charset=utf-8"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=kind)
    return cast(HttpResponse, response)  # the role decorators type views as HttpResponse
