"""The analysis plan page: the version in force, its power, the history, a new version."""

from __future__ import annotations

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.memberships import holds
from common.permissions import request_user, role_required
from common.roles import Role
from common.trial_picker import trial_shown
from plans.forms import PlanForm
from plans.models import Outcome, Sensitivity
from plans.selectors import (
    PLAN_ROLES,
    first_unblinded_report_at,
    plan_in_force,
    plan_power,
    plan_versions,
)
from plans.services import PLAN_FIELDS, plan_save
from trial.selectors import trial_for

plan_roles = role_required(*PLAN_ROLES)


@plan_roles
def plan(request: HttpRequest, code: str) -> HttpResponse:
    """Show the plan in force with its power; a trial manager may save a new version."""
    user = request_user(request)
    trial = trial_for(user, *PLAN_ROLES, code=code)
    trial_shown(request, trial)
    manages = holds(user, Role.TRIAL_MANAGER, trial)
    if request.method == "POST" and not manages:
        # Researchers read the plan; the page takes no answers from them (only its manager's).
        return HttpResponseNotAllowed(["GET"])
    current = plan_in_force(trial=trial, at=timezone.localdate())
    initial = (
        {k: v for k, v in model_to_dict(current).items() if k in PLAN_FIELDS} if current else {}
    )
    form = PlanForm(request.POST or None, initial=initial) if manages else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            saved = plan_save(
                actor=user, trial=trial, reason=form.cleaned_data["reason"], **form.values()
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Analysis plan version {saved.version} saved.")
            return redirect("plans:plan", code=trial.code)
    context = {
        "trial": trial,
        "plan": current,
        "power": plan_power(current) if current else None,
        "secondary": [Outcome(o).label for o in current.secondary_outcomes] if current else [],
        "sensitivity": [Sensitivity(s).label for s in current.sensitivity] if current else [],
        "versions": plan_versions(user, trial),
        "unblinded_at": first_unblinded_report_at(trial),
        "form": form,
    }
    return render(request, "plans/plan.html", context)
