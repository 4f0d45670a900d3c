"""Landing and health pages shared by every role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from common.roles import roles_of


def home(request: HttpRequest) -> HttpResponse:
    """Send each user to their role's dashboard."""
    roles = roles_of(request.user)
    if roles:
        return redirect(roles[0].dashboard)
    return render(request, "common/no_role.html", status=403)


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 when the database answers (used by docker-compose health checks)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
