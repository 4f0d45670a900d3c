"""Oversight pages: the national coordinator's programme picture and the data-quality page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import request_user, role_required
from common.roles import Role
from common.trial_picker import current_trial
from oversight.selectors import national_picture, quality_for

# Trial managers see the same pages for their own trials (the selectors scope by membership).
oversight_pages = role_required(Role.NATIONAL_COORDINATOR, Role.TRIAL_MANAGER)


@oversight_pages
def national(request: HttpRequest) -> HttpResponse:
    """Show recruitment, balance, workshops and follow-up per force, for every trial overseen."""
    picture = national_picture(user=request_user(request))
    return render(request, "oversight/national.html", {"picture": picture})


@oversight_pages
def quality(request: HttpRequest) -> HttpResponse:
    """Show the current trial's data-quality figures per force, each against its thresholds."""
    quality = quality_for(user=request_user(request), trial=current_trial(request))
    return render(request, "oversight/quality.html", {"quality": quality})
