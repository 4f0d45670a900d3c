"""The audit page and subject access requests: trial managers and the data protection officer."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from common.disclosure import DisclosureForm
from common.exceptions import DomainError
from common.forms import add_domain_error
from common.models import AuditEvent
from common.permissions import request_user, role_required
from common.roles import Role
from common.selectors import audit_verification_last, user_by_username
from common.services import audit_verify, disclosure_record
from common.signin_marks import recent_sign_in_required
from participants.selectors import trial_ids_for_custody_reference
from privacy.forms import AuditSearchForm, SubjectAccessForm, trial_ids_in
from privacy.selectors import (
    AuditQuery,
    Cursor,
    audit_page,
    audit_rows,
)
from privacy.services import subject_access_export

audit_pages = role_required(Role.TRIAL_MANAGER, Role.DATA_PROTECTION_OFFICER)
FILTERS = ("person", "user", "action", "disclosures", "trial", "since", "until")


def _query(form: AuditSearchForm) -> AuditQuery:
    data = form.cleaned_data
    actor_id, unknown = None, False
    if data.get("user"):
        actor = user_by_username(data["user"])
        actor_id, unknown = (actor.pk, False) if actor else (None, True)
    return AuditQuery(
        people=trial_ids_in(data.get("person") or "") or (),
        actor_id=actor_id,
        action="disclosure." if data.get("disclosures") else (data.get("action") or "").strip(),
        trial=(data.get("trial") or "").strip().upper(),
        since=data.get("since"),
        until=data.get("until"),
        unknown_user=unknown,
    )


CURSOR_SALT = "privacy.audit-page"


def _cursor(text: str) -> Cursor | None:
    """Read a signed cursor (an event's time and id); a changed or old one gives None."""
    try:
        at, pk = signing.loads(text, salt=CURSOR_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    moment = parse_datetime(at) if isinstance(at, str) else None
    return (moment, pk) if moment and isinstance(pk, int) else None


def _signed(cursor: Cursor) -> str:
    # Signed so the address says nothing a reader could edit; it holds a time and an id only.
    return signing.dumps([cursor[0].isoformat(), cursor[1]], salt=CURSOR_SALT)


def _filters(data: QueryDict) -> dict[str, str]:
    return {k: str(data.get(k)) for k in FILTERS if data.get(k)}


@audit_pages
def audit(request: HttpRequest) -> HttpResponse:
    """Search the audit trail; a custody reference is posted and comes back as trial IDs."""
    if request.method == "POST":
        # A custody reference is personal data: it is resolved here, never put in a URL.
        wanted = _filters(request.POST)
        person = wanted.get("person", "")
        listed = trial_ids_in(person)
        if listed:
            wanted["person"] = ",".join(listed)
        elif person:
            found = trial_ids_for_custody_reference(person)
            if not found:
                form = AuditSearchForm(request.POST)
                form.is_valid()
                form.add_error("person", "No case has this trial ID or custody reference.")
                return _audit_page(request, form, status=400)
            wanted["person"] = ",".join(found)
        return redirect(f"{reverse('privacy:audit')}?{urlencode(wanted)}")
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return _audit_page(request, form, status=400)
    if form.cleaned_data.get("person") and trial_ids_in(form.cleaned_data["person"]) is None:
        form.add_error("person", "Search for a custody reference with the Search button.")
        return _audit_page(request, form, status=400)
    return _audit_page(request, form)


def _audit_page(request: HttpRequest, form: AuditSearchForm, status: int = 200) -> HttpResponse:
    page = None
    if form.is_bound and not form.errors:
        page = audit_page(
            by=request_user(request),
            query=_query(form),
            after=_cursor(request.GET.get("after", "")),
            before=_cursor(request.GET.get("before", "")),
        )
    filters = _filters(request.GET) if request.method == "GET" else {}
    next_url = previous_url = ""
    if page and page.next_cursor:
        next_url = "?" + urlencode(filters | {"after": _signed(page.next_cursor)})
    if page and page.previous_cursor:
        previous_url = "?" + urlencode(filters | {"before": _signed(page.previous_cursor)})
    context = {
        "form": form,
        "page": page,
        "next_url": next_url,
        "previous_url": previous_url,
        "first_url": "?" + urlencode(filters),
        "paged": bool(previous_url),
        "filters": filters,
        "export": DisclosureForm(initial={"purpose": "audit"}),
        "verification": audit_verification_last(),
        "can_verify": request.user.has_perm(Role.TRIAL_MANAGER.page_permission),
    }
    return render(request, "privacy/audit.html", context, status=status)


def _csv_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line())
    yield writer.writerow(["at", "user", "action", "trial", "case", "object", "detail"])
    for e in events:
        yield writer.writerow(
            [
                e.at.isoformat(),
                e.actor.username if e.actor else "",
                e.action,
                e.trial,
                e.subject,
                f"{e.object_type}:{e.object_id}" if e.object_type else "",
                " ".join(f"{k}={v}" for k, v in sorted(e.detail.items())),
            ]
        )


@require_POST
@audit_pages
@recent_sign_in_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """Send the filtered events as CSV after asking why (the export is itself logged)."""
    search = AuditSearchForm(request.POST)
    why = DisclosureForm(request.POST)
    if not (search.is_valid() and why.is_valid()):
        messages.error(request, "Say who receives the export and why before downloading it.")
        return redirect(f"{reverse('privacy:audit')}?{urlencode(_filters(request.POST))}")
    query = _query(search)
    disclosure_record(
        actor=request_user(request),
        kind="audit_export",
        filters=_filters(request.POST),
        participants=list(query.people),
        **why.disclosure(),
    )
    rows = audit_rows(by=request_user(request), query=query)
    response = HttpResponse("".join(_csv_lines(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate()}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(Role.TRIAL_MANAGER)
def audit_verify_now(request: HttpRequest) -> HttpResponse:
    """Seal new rows and recompute the audit chain now (the nightly job does the same)."""
    result = audit_verify(by=request_user(request))
    if result.ok:
        messages.success(request, f"The audit trail is intact: {result.rows_checked} rows.")
    else:
        messages.error(request, f"The audit trail is BROKEN: {result.problem}")
    return redirect("privacy:audit")


@role_required(Role.DATA_PROTECTION_OFFICER, Role.TRIAL_MANAGER)
@recent_sign_in_required
def subject_access(request: HttpRequest) -> HttpResponse:
    """Find a case and download its subject access export (logged as a disclosure)."""
    bound = request.method == "POST"
    form = SubjectAccessForm(request.POST or None)
    why = DisclosureForm(
        request.POST or None,
        initial={"purpose": "subject_access", "recipient": "the data subject"},
    )
    if bound and form.is_valid() and why.is_valid():
        person = form.cleaned_data["person"]
        ids = trial_ids_in(person) or tuple(trial_ids_for_custody_reference(person))
        if len(ids) != 1:
            form.add_error("person", "No single case has this trial ID or custody reference.")
        else:
            try:
                name, content = subject_access_export(
                    by=request_user(request), trial_id=ids[0], **why.disclosure()
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                response = HttpResponse(content, content_type="application/zip")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                response["Cache-Control"] = "no-store"
                return response
    context = {"form": form, "why": why}
    return render(request, "privacy/subject_access.html", context, status=400 if bound else 200)
