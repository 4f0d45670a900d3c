"""Workshops pages of the trial manager: which provider runs each area's workshops."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.exceptions import DomainError
from common.forms import add_domain_error
from common.permissions import request_user, role_required
from common.roles import Role
from common.trial_picker import current_trial
from workshops.forms import DeliveryForm
from workshops.selectors import deliveries_for, providers, trial_areas
from workshops.services import delivery_set


@role_required(Role.TRIAL_MANAGER)
def deliveries(request: HttpRequest) -> HttpResponse:
    """List the current trial's areas with their provider; set one area's provider."""
    user, trial = request_user(request), current_trial(request)
    rows = deliveries_for(user=user, trial=trial)
    form = None
    if rows is not None:
        form = DeliveryForm(request.POST or None, areas=trial_areas(trial), providers=providers())
    if request.method == "POST" and form is not None and form.is_valid():
        area, provider = form.cleaned_data["police_area"], form.cleaned_data["provider"]
        try:
            delivery_set(trial=trial, police_area=area, provider=provider, by=user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{provider} runs the workshops of {area.name}.")
            return redirect("workshops:deliveries")
    context = {
        "trial": trial,
        "rows": rows,
        "form": form,
        "providers": providers(),
    }
    return render(
        request, "workshops/deliveries.html", context, status=400 if form and form.errors else 200
    )
