"""Sign-in events in the audit trail: who, when and from which address; never a password or code."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.exceptions import DomainError
from common.models import AuditEvent, User
from common.roles import Role, has_role
from common.services import audit_record, person_is_managed_by

RESET_REQUESTED = "auth.password_reset_requested"


def sign_in_event(*, action: str, user: User | None, address: str, **detail: Any) -> None:
    """Record a sign-in event; a name typed that matches no account is not kept."""
    audit_record(actor=user, action=action, obj=user, address=address, **detail)


def sign_in_failed(*, username: str, address: str) -> None:
    """A wrong password: audited against the account when there is one."""
    user = User.objects.filter(username=username).first() if username else None
    sign_in_event(action="auth.sign_in_failed", user=user, address=address, known=bool(user))


@transaction.atomic
def sign_in_unlock(*, user: User, by: User) -> int:
    """Clear a user's failed sign-ins, so the lockout ends now; returns the attempts cleared."""
    if not has_role(by, Role.TRIAL_MANAGER):
        raise DomainError("Only a trial manager can unlock an account.")
    if not person_is_managed_by(user, by):
        raise DomainError("This person works in trials you do not manage.")
    cleared = axes_reset(username=user.username)
    audit_record(actor=by, action="auth.unlocked", obj=user, cleared=cleared)
    return cleared


def address_unlock(*, address: str, by: User) -> int:
    """Clear the failed sign-ins from one address (an office behind one gateway, say)."""
    if not has_role(by, Role.TRIAL_MANAGER):
        raise DomainError("Only a trial manager can unlock an address.")
    with transaction.atomic():
        cleared = axes_reset(ip=address)
        audit_record(actor=by, action="auth.address_unlocked", address=address, cleared=cleared)
    return cleared


def _email_key(email: str) -> str:
    """A keyed hash of an e-mail address: the throttle counts requests without keeping it."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def password_reset_request(*, email: str, address: str) -> None:
    """Count a "forgot your password" request; refuse when its address or e-mail asked too often.

    The limits are SIGNIN_RESET_LIMIT requests an hour per address and per e-mail address; the
    refusal is audited like the request.
    """
    since = timezone.now() - timedelta(hours=1)
    recent = AuditEvent.objects.filter(action=RESET_REQUESTED, at__gte=since)
    key = _email_key(email)
    limit = settings.SIGNIN_RESET_LIMIT
    too_many = (
        recent.filter(detail__address=address).count() >= limit
        or recent.filter(detail__email=key).count() >= limit
    )
    if too_many:
        audit_record(actor=None, action="auth.password_reset_throttled", address=address, email=key)
        raise DomainError(
            "Too many reset requests from here or for this address: try again in an hour, "
            "or ask your trial manager to send you a link.",
            field="email",
        )
    audit_record(actor=None, action=RESET_REQUESTED, address=address, email=key)
