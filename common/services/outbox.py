"""The outbox's writes: a message enqueued in the caller's transaction is sent once, after commit.

Sending claims the row with a lease committed before the send, sends, then marks it sent in a
new transaction that survives a dropped connection: two senders never send one message, and a
sender that died is replaced by the sweep once its lease ends. See docs/outbox.md.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
from collections.abc import Callable, Mapping
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from common.models import OutboxMessage, User
from common.outbox import MessageKind, is_transient, message_kind, safe_error, send_envelope
from common.roles import Role
from common.services.audit import audit_record

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status


class Outcome(StrEnum):
    """What one attempt to send a message did."""

    SENT = "sent"
    CANCELLED = "cancelled"  # the composer found nothing to send any more
    RETRY = "retry"  # a transient error: pending, with a later next_attempt_at
    FAILED = "failed"
    NOT_CLAIMED = "not_claimed"  # already done, not due, or being sent by another sender


def _is_id(value: object) -> bool:
    """Say whether a value is an identifier: an int, or a short string with no @ or space."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return (
        isinstance(value, str)
        and 0 < len(value) <= 64
        and "@" not in value
        and not any(ch.isspace() for ch in value)
    )


def _check_context(context: Mapping[str, object]) -> None:
    # Ids only: the text is rendered at send time, so the row never holds personal data.
    for key, value in context.items():
        if not isinstance(key, str) or not _is_id(value):
            raise ValueError(f"Outbox context holds ids only (ints or short codes): {key!r}.")


def _check_recipients(recipients: Mapping[str, object]) -> None:
    if not recipients:
        raise ValueError("Outbox recipients are empty: say who, e.g. {'users': [3]}.")
    for key, value in recipients.items():
        if key == "users":
            if not (isinstance(value, list) and value and all(_is_int(v) for v in value)):
                raise ValueError("Outbox recipients 'users' is a list of user ids.")
        elif key == "role":
            if value not in {role.value for role in Role}:
                raise ValueError(f"Outbox recipients 'role' is not a role: {value!r}.")
        elif not _is_id(value):
            raise ValueError(f"Outbox recipients hold ids only, never addresses: {key!r}.")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def outbox_enqueue(
    *,
    kind: str,
    channel: str = OutboxMessage.Channel.EMAIL,
    context: Mapping[str, int | str],
    recipients: Mapping[str, object],
    by: User | None = None,
) -> OutboxMessage:
    """Write a message that is sent once the caller's transaction commits, and not otherwise."""
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "outbox_enqueue() runs inside the transaction of the write the message reports "
            "(transaction.atomic()), so that the message commits with it or not at all."
        )
    message_kind(kind)  # LookupError: a kind nobody can compose would never leave
    if channel not in OutboxMessage.Channel.values:
        raise ValueError(f"Outbox channel is email or sms, not {channel!r}.")
    _check_context(context)
    _check_recipients(recipients)
    message = OutboxMessage.objects.create(
        kind=kind,
        channel=channel,
        context=dict(context),
        recipients=dict(recipients),
        created_by=by if by is not None and by.pk else None,
    )
    audit_record(
        actor=by,
        action="outbox.enqueue",
        obj=message,
        kind=kind,
        channel=channel,
        context=dict(context),
        recipients=dict(recipients),
    )
    pk = message.pk
    transaction.on_commit(lambda: _queue_send(pk), robust=True)
    return message


def _queue_send(message_id: int) -> None:
    from common.tasks import outbox_send_task  # the tasks import these services

    try:
        outbox_send_task.delay(message_id)
    except Exception as exc:  # the write has committed: the sweep sends it within a minute
        logger.warning(
            "outbox %s not queued (%s); the sweep sends it", message_id, type(exc).__name__
        )


def _due(now: datetime.datetime) -> Q:
    # A first attempt is never held back (a worker's clock a little behind the web's); retries
    # wait for their backoff.
    return Q(status=Status.PENDING) & (Q(attempts=0) | Q(next_attempt_at__lte=now))


def _lock_due(message_id: int, now: datetime.datetime) -> OutboxMessage | None:
    due = OutboxMessage.objects.filter(_due(now), pk=message_id)
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: a message another sender is claiming this instant is skipped, not waited
        # for (the lock lasts only as long as the claim's own short transaction).
        return due.select_for_update(skip_locked=True).first()
    if connection.vendor == "sqlite":
        # The transaction began with BEGIN IMMEDIATE, so this read comes after the write lock
        # is held: a sender that claimed it before us has committed, and the lease says so.
        if connection.settings_dict["OPTIONS"].get("transaction_mode") != "IMMEDIATE":
            raise ImproperlyConfigured("The outbox needs SQLite's transaction_mode IMMEDIATE.")
        return due.first()
    return due.select_for_update().first()


def _claim(message_id: int, now: datetime.datetime) -> OutboxMessage | None:
    # The claim commits before anything is sent: a lease (next_attempt_at moved on by
    # OUTBOX_LEASE_SECONDS) rather than a lock, so that a sender whose database connection is
    # cut mid-send still holds it, and can mark the message sent once it reconnects.
    with transaction.atomic():
        message = _lock_due(message_id, now)
        if message is None:
            return None
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            # Every sender before died or lost the database between its claim and its mark.
            _fail(message, f"no sender finished it in {message.attempts} attempts")
            return None
        message.attempts += 1
        # From the clock, not a sweep's `now`: a long sweep's last claims get their whole lease.
        start = max(now, timezone.now())
        message.next_attempt_at = start + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        message.save(update_fields=["attempts", "next_attempt_at"])
    return message


def outbox_send(*, message_id: int, now: datetime.datetime | None = None) -> Outcome:
    """Send one due message unless it was already sent or another sender holds it."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return Outcome.NOT_CLAIMED
    return _send_claimed(message, now)


def outbox_send_pending(
    *, now: datetime.datetime | None = None, limit: int | None = None
) -> dict[str, list[int]]:
    """Send every pending message that is due, each in its own transaction; ids by outcome."""
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[: limit or settings.OUTBOX_SWEEP_BATCH])
    outcomes: dict[str, list[int]] = {}
    for pk in ids:
        try:
            outcome = outbox_send(message_id=pk, now=now)
        except DatabaseError as exc:
            # SQLite busy past its timeout, or the database gone: the next sweep goes on.
            logger.warning("outbox sweep stopped at %s (%s)", pk, type(exc).__name__)
            break
        outcomes.setdefault(outcome.value, []).append(pk)
    return outcomes


def _after_claim(message: OutboxMessage, write: Callable[..., Outcome], *args: object) -> Outcome:
    # Every write after the claim has its own transaction and outlives a dropped connection: the
    # e-mail may have gone already, so giving up here is what would send it twice.
    waits = settings.OUTBOX_RECONNECT_WAITS
    for attempt, wait in enumerate([*waits, None], start=1):
        try:
            with transaction.atomic():
                return write(*args)
        except (OperationalError, InterfaceError) as exc:
            if wait is None or connection.in_atomic_block:
                logger.error(
                    "outbox %s (%s): database unreachable after the send (%s); it is sent "
                    "again when its lease ends",
                    message.pk,
                    message.kind,
                    type(exc).__name__,
                )
                raise
            logger.warning(
                "outbox %s (%s): database error after the claim (%s), reconnecting (%d)",
                message.pk,
                message.kind,
                type(exc).__name__,
                attempt,
            )
            with contextlib.suppress(DatabaseError):
                connection.close()  # the next query opens a new connection
            time.sleep(wait)
    raise AssertionError("unreachable")  # the last wait is None: the loop returns or raises


def _send_claimed(message: OutboxMessage, now: datetime.datetime) -> Outcome:
    try:
        kind = message_kind(message.kind)
    except LookupError as exc:  # a worker older than the web: a later one may know it
        return _after_claim(message, _retry_or_fail, message, exc, now)
    try:
        with transaction.atomic():
            envelopes = list(kind.compose(message))
    except Exception as exc:
        if is_transient(exc):  # the database dropped or was busy: nothing was sent
            return _after_claim(message, _retry_or_fail, message, exc, now)
        return _after_claim(message, _fail, message, f"composer: {safe_error(exc)}")
    sent = 0
    for index, envelope in enumerate(envelopes):
        try:
            sent += send_envelope(message, index, envelope)
        except Exception as exc:
            if is_transient(exc):
                return _after_claim(message, _retry_or_fail, message, exc, now)
            note = f" after {sent} sent" if sent else ""
            return _after_claim(message, _fail, message, safe_error(exc) + note)
    if not sent:
        return _after_claim(message, _cancel, message)
    return _after_claim(message, _mark_sent, message, kind, sent)


def _still_ours(message: OutboxMessage) -> bool:
    # Locked for the mark. Another sender finishes it only if our lease ran out first.
    status = (
        OutboxMessage.objects.select_for_update()
        .filter(pk=message.pk)
        .values_list("status", flat=True)
        .first()
    )
    return status == Status.PENDING


def _cancel(message: OutboxMessage) -> Outcome:
    if not _still_ours(message):
        return Outcome.NOT_CLAIMED
    message.status = Status.CANCELLED
    message.save(update_fields=["status"])
    audit_record(actor=None, action="outbox.cancelled", obj=message, kind=message.kind)
    logger.info("outbox %s (%s) cancelled: nothing to send", message.pk, message.kind)
    return Outcome.CANCELLED


def _mark_sent(message: OutboxMessage, kind: MessageKind, sent: int) -> Outcome:
    if not _still_ours(message):
        logger.error("outbox %s (%s) sent after its lease ran out", message.pk, message.kind)
        return Outcome.SENT
    message.status, message.sent_at, message.last_error = Status.SENT, timezone.now(), ""
    if kind.after_send is not None:
        try:
            with transaction.atomic():
                kind.after_send(message)
        except (OperationalError, InterfaceError):
            raise  # the connection is gone: the whole mark is written again after reconnecting
        except Exception as exc:
            # It has gone: rolling back would send it again. Say so and keep it sent.
            message.last_error = f"after_send: {type(exc).__name__}"
            logger.error(
                "outbox %s (%s) after_send failed (%s)",
                message.pk,
                message.kind,
                type(exc).__name__,
            )
    message.save(update_fields=["status", "sent_at", "last_error"])
    audit_record(
        actor=None,
        action="outbox.sent",
        obj=message,
        kind=message.kind,
        attempts=message.attempts,
        envelopes=sent,
    )
    logger.info("outbox %s (%s) sent, attempt %d", message.pk, message.kind, message.attempts)
    return Outcome.SENT


def _retry_or_fail(message: OutboxMessage, exc: Exception, now: datetime.datetime) -> Outcome:
    # The claim counted this attempt already.
    if not _still_ours(message):
        return Outcome.NOT_CLAIMED
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        return _fail(message, safe_error(exc))
    message.last_error = safe_error(exc)[:200]
    delay = min(
        settings.OUTBOX_BACKOFF_SECONDS * 2 ** (message.attempts - 1),
        settings.OUTBOX_BACKOFF_MAX_SECONDS,
    )
    message.next_attempt_at = now + datetime.timedelta(seconds=delay)
    message.save(update_fields=["last_error", "next_attempt_at"])
    logger.warning(
        "outbox %s (%s) attempt %d failed (%s); next in %ds",
        message.pk,
        message.kind,
        message.attempts,
        type(exc).__name__,
        delay,
    )
    return Outcome.RETRY


def _fail(message: OutboxMessage, error: str) -> Outcome:
    # The claim counted this attempt already.
    if not _still_ours(message):
        return Outcome.NOT_CLAIMED
    message.status, message.last_error = Status.FAILED, error[:200]
    message.save(update_fields=["status", "last_error"])
    audit_record(
        actor=None,
        action="outbox.failed",
        obj=message,
        kind=message.kind,
        attempts=message.attempts,
        error=message.last_error,
    )
    logger.error("outbox %s (%s) failed: %s", message.pk, message.kind, message.last_error)
    return Outcome.FAILED
