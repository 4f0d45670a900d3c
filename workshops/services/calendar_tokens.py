"""The counsellor's calendar feed address: made, shown once and revoked.

The token is 32 random bytes shown once; only its SHA-256 is stored, so a database copy does not
open anyone's feed.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from common.models import User
from common.services import audit_record
from workshops.models import CalendarToken
from workshops.selectors.feed import token_hash


def calendar_token_create(*, user: User) -> str:
    """Give the user a new feed address (revoking any old one); return the token, shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        created = CalendarToken.objects.create(user=user, token_hash=token_hash(token))
        audit_record(actor=user, action="calendar_token.create", obj=created)
    return token


def calendar_token_revoke(*, user: User) -> int:
    """Revoke the user's feed address: subscribed calendars stop updating."""
    with transaction.atomic():
        revoked = CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(actor=user, action="calendar_token.revoke", object_type="calendar_token")
    return revoked
