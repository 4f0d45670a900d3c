"""Landing and health pages shared by every role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.roles import roles_of
from common.trial_picker import trial_remember


def home(request: HttpRequest) -> HttpResponse:
    """Send each user to their role's dashboard."""
    roles = roles_of(request.user)
    if roles:
        return redirect(roles[0].dashboard)
    return render(request, "common/no_role.html", status=403)


@require_POST
def trial_choose(request: HttpRequest) -> HttpResponse:
    """Switch the pages to another of the user's trials and open its start page."""
    try:
        trial_id = int(request.POST.get("trial", ""))
    except ValueError:
        trial_id = 0
    if not trial_remember(request, trial_id):
        return render(request, "common/no_role.html", status=404)
    # To the role's start page in the new trial, not an object of the trial just left.
    return redirect("home")


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 when the database answers (used by docker-compose health checks)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    """Show the accessibility statement (public: the regulations want it reachable by anyone)."""
    context = {"contact": getattr(settings, "ACCESSIBILITY_CONTACT", "")}
    return render(request, "common/accessibility.html", context)
