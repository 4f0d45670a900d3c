"""Follow-up: pages of the data manager."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import role_required
from common.roles import Role


@role_required(Role.DATA_MANAGER)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the data manager's dashboard."""
    return render(request, "outcomes/dashboard.html", {})
