"""Sign-in's reads: where a request came from, whether it needs a second factor, a user's state.

Also the deploy checks (configuration read by `check --deploy`), registered in apps.ready.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.core.checks import Warning
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from common.models import User
from signin.models import Authenticator

NO_SECOND_FACTOR = "signin.no_second_factor"  # the user id: asked and not needed


def client_address(request: HttpRequest | None) -> str:
    """Return the peer address (behind a proxy, the proxy's: see SECURITY.md)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def has_authenticator(user: User) -> bool:
    return Authenticator.objects.filter(user=user, confirmed=True).exists()


def authenticator_key(user: User) -> str | None:
    """The shared secret of a user's app (demo mode's signin_code stands in for the phone)."""
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    return device.secret if device is not None else None


def needs_second_factor(request: HttpRequest) -> bool:
    """A signed-in user must give a code when they have an app, or must enrol when required.

    When neither holds (demo mode, no app) the session remembers it, so later pages ask the
    database nothing: an app set up later verifies this session as it is set up.
    """
    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return False
    if settings.TWO_FACTOR_REQUIRED:
        return True
    if request.session.get(NO_SECOND_FACTOR) == user.pk:
        return False
    if has_authenticator(user):  # type: ignore[arg-type]
        return True
    request.session[NO_SECOND_FACTOR] = user.pk
    return False


def sign_in_state(person: User) -> dict[str, object]:
    """What a trial manager sees of a user's sign-in: app set up, recent failures, locked."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=person.username, attempt_time__gte=since)
    failures = recent.aggregate(n=Sum("failures_since_start"))["n"] or 0
    return {
        "has_authenticator": has_authenticator(person),
        "failures": failures,
        "locked": failures >= settings.AXES_FAILURE_LIMIT,
    }


CONSOLE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def email_is_sent(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.EMAIL_BACKEND not in CONSOLE_BACKENDS:
        return []
    return [
        Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: e-mails, password links included, are "
            "not sent but printed or kept on this machine.",
            hint="Set EMAIL_URL to your SMTP server, e.g. smtp+tls://user:password@host:587.",
            id="signin.W001",
        )
    ]


def second_factor_required(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.TWO_FACTOR_REQUIRED:
        return []
    return [
        Warning(
            "TWO_FACTOR_REQUIRED is off: a password alone opens personal data.",
            hint="Unset TWO_FACTOR_REQUIRED (it is on by default outside demo mode).",
            id="signin.W002",
        )
    ]
