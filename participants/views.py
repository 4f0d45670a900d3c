"""Screening and enrolment: pages of the case officer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import role_required
from common.roles import Role


@role_required(Role.OFFICER)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the case officer's dashboard."""
    return render(request, "participants/dashboard.html", {})
