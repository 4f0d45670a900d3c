"""Trial design and randomisation: pages of the trial manager (and the researchers' balance)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from common.confirm import Confirmation, confirmation, confirmation_needed
from common.exceptions import DomainError
from common.forms import add_domain_error
from common.permissions import request_user, role_required
from common.roles import Role
from common.selectors import audit_verification_last
from common.signin_marks import recent_sign_in_required
from common.trial_picker import trial_shown
from trial.forms import (
    ArmFormSet,
    CorrectionForm,
    DesignForm,
    ExportForm,
    SequenceRequestForm,
    TrialCreateForm,
    TrialSettingsForm,
    arms_from,
    design_initial,
)
from trial.models import Trial, TrialStatus
from trial.selectors import (
    allocation_events_for,
    balance_for,
    current_design,
    stacked_bars,
    trial_for,
    trials_for_balance,
    trials_for_manager,
)
from trial.services import (
    PERMISSION,
    TRANSITIONS,
    chain_verify,
    post_randomisation_record,
    sequence_export,
    sequence_reveal,
    trial_create,
    trial_design_update,
    trial_settings_update,
    trial_transition,
)

manager_only = role_required(Role.TRIAL_MANAGER)
balance_roles = role_required(Role.TRIAL_MANAGER, Role.RESEARCHER)


# What each move means for the people working in the trial, said before it is made.
STATUS_CONSEQUENCES: dict[str, str] = {
    TrialStatus.RECRUITING: (
        "Officers of every force in the trial can screen and enrol cases, and each enrolment "
        "is randomised. The allocation design can then change only by a new version."
    ),
    TrialStatus.RECRUITMENT_CLOSED: (
        "No officer in any force can screen or enrol a new case. Men already enrolled keep their "
        "workshops and follow-up. Recruitment cannot be reopened."
    ),
    TrialStatus.FOLLOW_UP: (
        "The trial waits for its follow-up windows to close; no new cases, workshops continue "
        "until the last men finish."
    ),
    TrialStatus.CLOSED: (
        "The trial is closed for good: follow-up stops, and its personal data are erased when "
        "the retention period ends."
    ),
}


def _managed(request: HttpRequest, code: str) -> Trial:
    """The trial of the URL if the user manages it, else 404 (another trial does not exist)."""
    trial = trial_for(request_user(request), Role.TRIAL_MANAGER, code=code)
    trial_shown(request, trial)
    return trial


@manager_only
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show every trial with its status and last chain verification."""
    trials = trials_for_manager(user=request_user(request))
    context = {"trials": trials, "audit_verification": audit_verification_last()}
    return render(request, "trial/dashboard.html", context)


@manager_only
def trial_new(request: HttpRequest) -> HttpResponse:
    """Create a trial in set-up with its arms and first design."""
    form = TrialCreateForm(request.POST or None)
    design = DesignForm(request.POST or None, prefix="design")
    arms = ArmFormSet(
        request.POST or None,
        prefix="arms",
        initial=[
            {"code": "intervention", "name": "Intervention", "ratio": 1, "is_intervention": True},
            {"code": "control", "name": "Control", "ratio": 1},
        ],
    )
    if request.method == "POST" and form.is_valid() and design.is_valid() and arms.is_valid():
        values = form.values()
        try:
            trial = trial_create(
                code=form.cleaned_data["code"],
                title=values.pop("title"),
                arms=arms_from(arms),
                block_multipliers=design.cleaned_data["block_multipliers"],
                strata_factors=design.cleaned_data["strata_factors"],
                options=values,
                by=request_user(request),
            )
        except DomainError as error:
            add_domain_error(form if error.field in form.fields else design, error)
        else:
            messages.success(request, f"Trial {trial.code} created in set-up.")
            return redirect("trial:detail", code=trial.code)
    context = {"form": form, "design": design, "arms": arms}
    return render(request, "trial/trial_new.html", context)


@manager_only
def trial_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show a trial's configuration, design versions and the status buttons."""
    trial = _managed(request, code)
    context = {
        "trial": trial,
        "arms": trial.arms.all(),
        "designs": trial.designs.select_related("created_by").order_by("-number"),
        "next_statuses": [TrialStatus(s) for s in sorted(TRANSITIONS[trial.status])],
        "verifications": trial.verifications.order_by("-at", "-id")[:5],
        "can_view_sequence": request_user(request).has_perm(PERMISSION),
    }
    return render(request, "trial/trial_detail.html", context)


@manager_only
def trial_settings(request: HttpRequest, code: str) -> HttpResponse:
    """Edit settings that do not affect allocation."""
    trial = _managed(request, code)
    form = TrialSettingsForm(request.POST or None, instance=trial)
    if request.method == "POST" and form.is_valid():
        try:
            trial_settings_update(trial=trial, values=form.values(), by=request_user(request))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("trial:detail", code=trial.code)
    return render(request, "trial/trial_settings.html", {"trial": trial, "form": form})


@manager_only
def trial_design(request: HttpRequest, code: str) -> HttpResponse:
    """Edit arms, ratios, blocks and strata (a new version once recruiting)."""
    trial = _managed(request, code)
    current = current_design(trial)
    form = DesignForm(request.POST or None, prefix="design", initial=design_initial(current))
    arms = ArmFormSet(
        request.POST or None,
        prefix="arms",
        initial=[
            {"code": a.code, "name": a.name, "ratio": a.ratio, "is_intervention": a.is_intervention}
            for a in trial.arms.all()
        ],
    )
    if request.method == "POST" and form.is_valid() and arms.is_valid():
        try:
            design = trial_design_update(
                trial=trial,
                arms=arms_from(arms),
                block_multipliers=form.cleaned_data["block_multipliers"],
                strata_factors=form.cleaned_data["strata_factors"],
                reason=form.cleaned_data["reason"],
                by=request_user(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if design.number != current.number:
                messages.success(request, f"Design version {design.number} is now in force.")
            else:
                messages.success(request, "Design saved.")
            return redirect("trial:detail", code=trial.code)
    context = {"trial": trial, "form": form, "arms": arms, "design": current}
    return render(request, "trial/trial_design.html", context)


@manager_only
@require_POST
def trial_status(request: HttpRequest, code: str) -> HttpResponse:
    """Move the trial along its status table, once the manager has confirmed what it means."""
    trial = _managed(request, code)
    to_status = request.POST.get("to_status", "")
    if to_status in STATUS_CONSEQUENCES and confirmation_needed(request):
        label = TrialStatus(to_status).label.lower()
        ask = Confirmation(
            title=f"Move {trial.code} to {label}?",
            consequence=STATUS_CONSEQUENCES[to_status],
            button=f"Yes, move {trial.code} to {label}",
            back_url=reverse("trial:detail", args=[trial.code]),
        )
        return confirmation(request, ask)
    try:
        trial = trial_transition(
            trial=trial, to_status=request.POST.get("to_status", ""), by=request_user(request)
        )
    except (DomainError, KeyError, ValueError) as error:
        messages.error(request, getattr(error, "message", "That status change is not allowed."))
    else:
        messages.success(
            request, f"Trial {trial.code} is now {trial.get_status_display().lower()}."
        )
    return redirect("trial:detail", code=trial.code)


@manager_only
@require_POST
def trial_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Verify the allocation chain now."""
    verification = chain_verify(trial=_managed(request, code), by=request_user(request))
    if verification.ok:
        messages.success(request, f"Chain verified: {verification.message}.")
    else:
        messages.error(
            request, f"Chain broken in {verification.broken_at}: {verification.message}."
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("trial:dashboard")
    return redirect(target)


@balance_roles
def balance_index(request: HttpRequest) -> HttpResponse:
    """List the trials whose balance the user may follow."""
    trials = trials_for_balance(user=request_user(request))
    return render(request, "trial/balance_index.html", {"trials": trials})


@balance_roles
def balance(request: HttpRequest, code: str) -> HttpResponse:
    """Show randomised counts per arm, per stratum and per month."""
    trial = trial_for(request_user(request), Role.TRIAL_MANAGER, Role.RESEARCHER, code=code)
    data = balance_for(trial=trial, user=request_user(request))
    chart = stacked_bars(data.months, [arm.name for arm in data.arms])
    return render(request, "trial/balance.html", {"balance": data, "chart": chart})


@manager_only
def corrections(request: HttpRequest, code: str) -> HttpResponse:
    """Record a post-randomisation event and list those recorded."""
    trial = _managed(request, code)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = post_randomisation_record(
                trial=trial, by=request_user(request), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"{event.allocation.participant_key} recorded as "
                f"{event.get_kind_display().lower()}; they stay in the intention-to-treat set.",
            )
            return redirect("trial:corrections", code=trial.code)
    events = allocation_events_for(trial=trial, user=request_user(request))
    return render(
        request, "trial/corrections.html", {"trial": trial, "form": form, "events": events}
    )


def _sequence_allowed(request: HttpRequest) -> None:
    if not request_user(request).has_perm(PERMISSION):
        raise PermissionDenied("Viewing the sequence needs the view_sequence permission.")


def sequence(request: HttpRequest, code: str) -> HttpResponse:
    """Show one stratum's stored sequence after a typed reason (audited)."""
    _sequence_allowed(request)
    trial = _managed(request, code)
    form = SequenceRequestForm(request.POST or None, trial=trial)
    rows = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = sequence_reveal(
                stratum=form.cleaned_data["stratum"],
                reason=form.cleaned_data["reason"],
                by=request_user(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
    context = {"trial": trial, "form": form, "rows": rows, "export": ExportForm()}
    return render(request, "trial/sequence.html", context)


@require_POST
@recent_sign_in_required
def sequence_download(request: HttpRequest, code: str) -> HttpResponse:
    """Download seeds, design and stored sequence for an offline check (audited)."""
    _sequence_allowed(request)
    trial = _managed(request, code)
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            data = sequence_export(
                trial=trial, reason=form.cleaned_data["reason"], by=request_user(request)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="{trial.code}-sequence.json"'
            response["Cache-Control"] = "no-store"
            return response
    seq_form = SequenceRequestForm(trial=trial)
    context = {"trial": trial, "form": seq_form, "rows": None, "export": form}
    return render(request, "trial/sequence.html", context, status=400)
