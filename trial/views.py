"""Trial design and randomisation: pages of the trial manager."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import role_required
from common.roles import Role


@role_required(Role.TRIAL_MANAGER)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the trial manager's dashboard."""
    return render(request, "trial/dashboard.html", {})
