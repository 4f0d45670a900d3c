"""Idempotent requests: a retried machine request gets the first response, its work done once."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError
from common.idempotency import canonical_json
from common.models import IdempotencyKey
from common.services.audit import audit_record

KEY_LIFETIME = datetime.timedelta(hours=24)
KEY_FIELD = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REUSED = "This Idempotency-Key was used with a different request."

Response = tuple[int, dict[str, Any]]


def _check_key(owner: str, key: str) -> None:
    if not owner:
        raise DomainError("The request has no owner for its Idempotency-Key.", field=KEY_FIELD)
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            f"Send an Idempotency-Key of 1 to {MAX_KEY_LENGTH} characters.", field=KEY_FIELD
        )
    if not key.isascii() or not key.isprintable():
        raise DomainError(
            "The Idempotency-Key must be printable ASCII (a UUID, say).", field=KEY_FIELD
        )


def _lock(owner: str, key: str) -> None:
    """Make concurrent requests with one key wait for the first to commit (PostgreSQL).

    A transaction-level advisory lock: held until commit, so the next request's read sees the
    stored response. SQLite's IMMEDIATE write transactions queue anyway; on either, the unique
    constraint is the backstop.
    """
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"idempotency\0{owner}\0{key}".encode()).digest()
    number = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.request_fingerprint != fingerprint:
        raise ConflictError(REUSED, field=KEY_FIELD)
    return stored.response_status, dict(stored.response_body)


def _live(owner: str, key: str, now: datetime.datetime) -> IdempotencyKey | None:
    stored = IdempotencyKey.objects.filter(scope_owner=owner, key=key).first()
    if stored is not None and stored.created_at <= now - KEY_LIFETIME:
        stored.delete()  # expired: the key starts afresh, as if the sweep had run
        return None
    return stored


def idempotent(*, owner: str, key: str, fingerprint: str, do: Callable[[], Response]) -> Response:
    """Run do once per owner and key, in one transaction with its stored response; replay it after.

    The same key with another fingerprint raises ConflictError. A do that raises stores nothing,
    so the client may retry once it has put the request right.
    """
    _check_key(owner, key)
    try:
        with transaction.atomic():
            _lock(owner, key)
            now = timezone.now()
            stored = _live(owner, key, now)
            if stored is not None:
                return _replay(stored, fingerprint)
            status, body = do()
            row = IdempotencyKey.objects.create(
                key=key,
                scope_owner=owner,
                request_fingerprint=fingerprint,
                response_status=status,
                response_body=json.loads(canonical_json(body)),
                created_at=now,
            )
            # Read back, not the body we sent: jsonb reorders keys, and the first answer must be
            # the replay's to the byte.
            return _replay(IdempotencyKey.objects.get(pk=row.pk), fingerprint)
    except IntegrityError:
        # Another request with the key committed between our read and our insert (no advisory
        # lock): everything here was rolled back, and its response is the answer.
        stored = IdempotencyKey.objects.filter(scope_owner=owner, key=key).first()
        if stored is None:
            raise
        return _replay(stored, fingerprint)


def idempotency_keys_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the keys older than 24 hours; return how many."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    with transaction.atomic():
        removed, _ = IdempotencyKey.objects.filter(created_at__lte=cutoff).delete()
        if removed:
            audit_record(actor=None, action="idempotency_key.expire", rows=removed)
    return removed
