"""Reports: pages of the researcher."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import role_required
from common.roles import Role


@role_required(Role.RESEARCHER)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the researcher's dashboard."""
    return render(request, "reports/dashboard.html", {})
