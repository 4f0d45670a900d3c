"""Workshop breaches: pages of the case officer (trial managers may open every area's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.permissions import request_user, role_required
from common.roles import Role
from common.trial_picker import current_trial
from workshops.forms import BreachDecisionForm
from workshops.models import BreachStatus
from workshops.selectors import breach_get, breaches_visible_to, rebooking_flags_for_officer
from workshops.services import breach_decide

OFFICER_ROLES = (Role.OFFICER, Role.TRIAL_MANAGER)


@role_required(*OFFICER_ROLES)
def breach_list(request: HttpRequest) -> HttpResponse:
    """Show the current trial's open breaches, then decided ones and men awaiting rebooking."""
    user, trial = request_user(request), current_trial(request)
    breaches = breaches_visible_to(user, trial)
    return render(
        request,
        "workshops/breach_list.html",
        {
            "open": breaches.filter(status=BreachStatus.OPEN).order_by("opened_at"),
            "decided": breaches.filter(status=BreachStatus.DECIDED).order_by("-decided_at")[:50],
            "flags": rebooking_flags_for_officer(user, trial).order_by("session__starts_at")[:50],
        },
    )


@role_required(*OFFICER_ROLES)
def breach(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a breach and record the officer's decision."""
    user = request_user(request)
    found = breach_get(user=user, pk=pk)
    form = BreachDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach_decide(
                breach=found,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                by=user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Decision on {found.participant.pseudonym} recorded.")
            return redirect("breaches:list")
    return render(request, "workshops/breach.html", {"breach": found, "form": form})
