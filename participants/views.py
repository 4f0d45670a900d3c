"""Screening and enrolment: pages of the case officer (trial managers may open every area's)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.exceptions import ConflictError, DomainError
from common.forms import add_domain_error
from common.keyset import keyset_page
from common.memberships import holds, trial_ids_where
from common.models import PoliceArea, User
from common.permissions import request_user, role_required
from common.roles import Role, has_role
from common.trial_picker import current_trial, trial_shown
from participants.forms import (
    ConsentForm,
    CorrectionForm,
    EnrolForm,
    SafetyEventForm,
    ScreeningForm,
    SearchForm,
    WithdrawForm,
    answer_labels,
    correction_initial,
)
from participants.models import CaseStatus, Participant
from participants.selectors import (
    BUCKETS,
    PERSONAL_FIELDS,
    bucket_counts,
    bucket_get,
    case_get,
    case_search,
    cases_visible_to,
    correction_window_ends,
    safety_events,
    screening_correction_refusal,
    screening_corrections,
    victim_get,
    with_workshops_done,
)
from participants.services import (
    consent_record,
    consent_withdraw,
    participant_enrol,
    personal_data_viewed,
    safety_event_record,
    screening_correct,
    screening_record,
)
from trial.selectors import TrialStatus, trials_for

if TYPE_CHECKING:
    from trial.models import Trial

PAGE_SIZE = 25
CASE_ORDER = ["-screened_at", "-id"]  # newest first; the participant_*_recent indexes serve it
CASE_ROLES = (Role.OFFICER, Role.TRIAL_MANAGER)


def _case_list(request: HttpRequest, template_title: str) -> HttpResponse:
    user = request_user(request)
    search = SearchForm(request.GET or None)
    trial = current_trial(request)
    cases: QuerySet[Participant] = (
        cases_visible_to(user).filter(trial=trial).defer(*PERSONAL_FIELDS)
    )
    trials = [trial] if trial is not None else []
    today = timezone.localdate()
    counts = bucket_counts(cases, today, trials)
    bucket = bucket_get(request.GET.get("bucket", ""))
    shown = cases
    query = ""
    if search.is_valid() and search.cleaned_data["q"]:
        query = search.cleaned_data["q"]
        shown = case_search(user=user, text=query).filter(trial=trial).defer(*PERSONAL_FIELDS)
    elif bucket is not None:
        shown = cases.filter(bucket.rows(today, trials))
    shown = with_workshops_done(shown)
    page = keyset_page(shown, ordering=CASE_ORDER, cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    return render(
        request,
        "participants/dashboard.html",
        {
            "title": template_title,
            "buckets": [(b, counts[b.key]) for b in BUCKETS],
            "bucket": bucket,
            "search": search,
            "query": query,
            "page": page,
            "today": today,
            "all_areas": trial is not None and holds(user, Role.TRIAL_MANAGER, trial),
        },
    )


@role_required(Role.OFFICER)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the officer's area's cases by status, with search and pages."""
    return _case_list(request, "My area's cases")


@role_required(Role.TRIAL_MANAGER)
def case_list(request: HttpRequest) -> HttpResponse:
    """Show every area's cases to a trial manager."""
    return _case_list(request, "Cases of every area")


def _recruiting(user: User) -> QuerySet[Trial]:
    """The recruiting trials where the user may screen (officer or trial manager there)."""
    return trials_for(user, *CASE_ROLES, statuses=[TrialStatus.RECRUITING])


def _screening_form(request: HttpRequest, data: Any = None) -> ScreeningForm:
    user = request_user(request)
    trials = _recruiting(user)
    managed = trial_ids_where(user, Role.TRIAL_MANAGER)  # from the memberships already read
    if managed is None or managed:
        areas = PoliceArea.objects.select_related("force")
    else:
        areas = PoliceArea.objects.filter(pk=user.police_area_id or 0).select_related("force")
    initial = {"token": uuid.uuid4(), "police_area": user.police_area_id}
    chosen = current_trial(request)
    first = chosen if chosen in trials else trials.first()
    if first is not None:
        initial["trial"] = first.pk
    return ScreeningForm(data, trials=trials, areas=areas, initial=initial)


@role_required(*CASE_ROLES)
def screen(request: HttpRequest) -> HttpResponse:
    """Record a screened case; the answer is its eligibility result page."""
    user = request_user(request)
    if not _recruiting(user).exists():
        messages.error(request, "None of your trials is recruiting: cases cannot be screened now.")
        return redirect("home")
    if not user.police_area_id and not has_role(user, Role.TRIAL_MANAGER):
        messages.error(request, "Your account has no police area: ask a trial manager to set it.")
        return redirect("home")
    form = _screening_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = screening_record(
                trial=form.cleaned_data["trial"],
                police_area=form.cleaned_data["police_area"],
                details=form.to_input(),
                token=form.cleaned_data["token"],
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("participants:case", pk=case.pk)
    return render(request, "participants/screen.html", {"form": form})


def _render_case(
    request: HttpRequest, case: Participant, enrol_form: EnrolForm | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    victim = victim_get(user=user, participant=case)
    trial_shown(request, case.trial)
    consent = getattr(case, "consent", None)
    if case.given_name is not None or (victim is not None and victim.given_name is not None):
        personal_data_viewed(participant=case, by=user, what="case")
    if enrol_form is None and case.status == CaseStatus.CONSENTED:
        enrol_form = EnrolForm(
            initial={"token": uuid.uuid4(), "caution_given_on": timezone.localdate()}
        )
    today = timezone.localdate()
    labels = answer_labels()
    context = {
        "case": case,
        "victim": victim,
        "consent": consent,
        "enrol_form": enrol_form,
        "corrections": [
            (correction, [labels.get(name, name) for name in correction.changed])
            for correction in screening_corrections(user=user, participant=case)
        ],
        "correction_refusal": screening_correction_refusal(participant=case, today=today),
        "correction_ends": correction_window_ends(case),
        "safety_events": safety_events(user=user, participant=case),
    }
    return render(request, "participants/case.html", context, status=status)


@role_required(*CASE_ROLES)
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a case: its eligibility result with every failed criterion, and the next step."""
    return _render_case(request, case_get(user=request_user(request), pk=pk))


@role_required(*CASE_ROLES)
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the victim's details, safety and decision."""
    user = request_user(request)
    participant = case_get(user=user, pk=pk)
    if participant.status != CaseStatus.SCREENED:
        messages.info(request, "The victim's decision for this case is already recorded.")
        return redirect("participants:case", pk=participant.pk)
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        offence_date=participant.offence_date,
        initial={"token": uuid.uuid4(), "decided_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(
                participant=participant,
                victim=form.to_victim(),
                consent=form.to_consent(),
                token=form.cleaned_data["token"],
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("participants:case", pk=participant.pk)
    return render(request, "participants/consent.html", {"case": participant, "form": form})


@require_POST
@role_required(*CASE_ROLES)
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol and randomise a consented case (POST only), then show the arm."""
    user = request_user(request)
    participant = case_get(user=user, pk=pk)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        return _render_case(request, participant, form, status=400)
    try:
        participant_enrol(
            participant=participant,
            caution_given_on=form.cleaned_data["caution_given_on"],
            token=form.cleaned_data["token"],
            by=user,
        )
    except ConflictError as error:
        # Another tab or a retried request enrolled it first: show what happened.
        messages.info(request, error.message)
        return redirect("participants:randomised", pk=participant.pk)
    except DomainError as error:
        add_domain_error(form, error)
        return _render_case(request, case_get(user=user, pk=pk), form, status=400)
    return redirect("participants:randomised", pk=participant.pk)


@role_required(*CASE_ROLES)
def randomised(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the arm of an enrolled case and what it means for the caution."""
    participant = case_get(user=request_user(request), pk=pk)
    if participant.allocation is None:
        return redirect("participants:case", pk=participant.pk)
    return render(request, "participants/randomised.html", {"case": participant})


@role_required(*CASE_ROLES)
def conditions(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the printable sheet of the caution's conditions."""
    user = request_user(request)
    participant = case_get(user=user, pk=pk)
    if participant.allocation is None:
        return redirect("participants:case", pk=participant.pk)
    personal_data_viewed(participant=participant, by=user, what="conditions")
    return render(request, "participants/conditions.html", {"case": participant})


@role_required(*CASE_ROLES)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the victim withdrew consent (an enrolled man stays in the analysis)."""
    user = request_user(request)
    participant = case_get(user=user, pk=pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(
                participant=participant,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The withdrawal of consent is recorded.")
            return redirect("participants:case", pk=participant.pk)
    return render(request, "participants/withdraw.html", {"case": participant, "form": form})


@role_required(*CASE_ROLES)
def safety_event(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a victim-safety event on a randomised case (the trial's harms, by arm)."""
    user = request_user(request)
    participant = case_get(user=user, pk=pk)
    if participant.allocation is None:
        messages.info(request, "Victim-safety events are recorded once the case is randomised.")
        return redirect("participants:case", pk=participant.pk)
    form = SafetyEventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            safety_event_record(
                actor=user,
                participant=participant,
                occurred_on=form.cleaned_data["occurred_on"],
                kind=form.cleaned_data["kind"],
                notes=form.cleaned_data["notes"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The victim-safety event is recorded.")
            return redirect("participants:case", pk=participant.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "participants/safety_event.html",
        {"case": participant, "form": form},
        status=status,
    )


@role_required(*CASE_ROLES)
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the screening answers of a case not yet enrolled, with a reason."""
    user = request_user(request)
    participant = case_get(user=user, pk=pk)
    refusal = screening_correction_refusal(participant=participant, today=timezone.localdate())
    if refusal:
        messages.error(request, refusal)
        return redirect("participants:case", pk=participant.pk)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial=correction_initial(participant),
    )
    if participant.given_name is not None:
        personal_data_viewed(participant=participant, by=user, what="correction")
    if request.method == "POST" and form.is_valid():
        try:
            corrected = screening_correct(
                participant=participant,
                details=form.to_input(),
                reason=form.cleaned_data["reason"],
                token=form.cleaned_data["token"],
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _corrected_message(corrected))
            return redirect("participants:case", pk=participant.pk)
    context = {"case": participant, "form": form, "ends": correction_window_ends(participant)}
    return render(request, "participants/correct.html", context)


def _corrected_message(case: Participant) -> str:
    if case.status == CaseStatus.INELIGIBLE:
        return "The answers are corrected. The case is not eligible; personal details are removed."
    return "The answers are corrected and the case is eligible on the offender's criteria."
