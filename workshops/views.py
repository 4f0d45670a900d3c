"""Workshops: pages of the counsellor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import role_required
from common.roles import Role


@role_required(Role.COUNSELLOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the counsellor's dashboard."""
    return render(request, "workshops/dashboard.html", {})
