"""The audit trail's hash chain: sealing new rows into it, and verifying it end to end.

One chain for the installation, in sealing order (`seq`), not per day or per trial: every row is
in exactly one place, a removed row leaves a gap whichever trial it was about, and writers never
wait for each other. Writers insert rows unsealed; the sealer (every minute, and before each
verification) takes the unsealed rows in id order under one lock and gives each its `seq`, the
previous row's hash and its own: sha256 of the previous hash and the row's canonical JSON. The
triggers (common/migrations/0006) refuse every other change, so between a write and its sealing a
row is protected by the triggers, and after it by the chain too.

Each verification keeps the head it reached; the next one checks that head is still there, so a
chain rewritten from some row onwards, or cut short, is found even though each link holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction

from common.models import AuditEvent, AuditVerification, User

BATCH = 2000
_LOCK = 0x0CA2A_A0D17  # pg_advisory_xact_lock key: one sealer at a time


def row_digest(event: AuditEvent, *, seq: int, prev_hash: str) -> str:
    """Return the hash of one audit row at its place in the chain."""
    content: dict[str, Any] = {
        "id": event.pk,
        "seq": seq,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "trial": event.trial,
        "subject": event.subject,
        "detail": event.detail,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _head() -> tuple[int, str]:
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    return (last.seq or 0, last.row_hash) if last else (0, "")


def audit_seal() -> int:
    """Give every unsealed audit row its place and hashes; return how many were sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            seq, head = _head()
            batch = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:BATCH])
            for event in batch:
                seq += 1
                event.seq, event.prev_hash = seq, head
                event.row_hash = head = row_digest(event, seq=seq, prev_hash=event.prev_hash)
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "row_hash"])
        sealed += len(batch)
        if len(batch) < BATCH:
            return sealed


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    rows_checked: int
    head_seq: int | None
    head_hash: str
    problem: str = ""
    broken_event: int | None = None


def _sealed() -> Iterator[AuditEvent]:
    # Keyset over seq: a 10-million-row chain is read a batch at a time, never held whole.
    after = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=after).order_by("seq")[:BATCH])
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].seq or 0


def _walk(vouched: AuditVerification | None) -> ChainCheck:
    expected_seq, prev, checked, seen_vouched = 1, "", 0, vouched is None
    for event in _sealed():
        if event.seq != expected_seq:
            return ChainCheck(
                False,
                checked,
                None,
                "",
                f"row {expected_seq} of the chain is missing (removed): the next present is "
                f"event {event.pk} at place {event.seq}",
                event.pk,
            )
        if event.prev_hash != prev:
            return ChainCheck(
                False,
                checked,
                None,
                "",
                f"event {event.pk} (place {event.seq}) does not follow the row before it: "
                "a row was replaced",
                event.pk,
            )
        if row_digest(event, seq=expected_seq, prev_hash=prev) != event.row_hash:
            return ChainCheck(
                False,
                checked,
                None,
                "",
                f"event {event.pk} (place {event.seq}, {event.action}) was changed after it was "
                "written: its content no longer matches its hash",
                event.pk,
            )
        if vouched is not None and event.seq == vouched.head_seq:
            seen_vouched = event.row_hash == vouched.head_hash
        prev, checked, expected_seq = event.row_hash, checked + 1, expected_seq + 1
    if not seen_vouched and vouched is not None:
        return ChainCheck(
            False,
            checked,
            None,
            "",
            f"the chain no longer holds the head verified on {vouched.at:%Y-%m-%d %H:%M} "
            f"(place {vouched.head_seq}): rows were removed from its end or rewritten",
        )
    return ChainCheck(True, checked, expected_seq - 1 if checked else None, prev)


def audit_verify(*, by: User | None) -> AuditVerification:
    """Seal what is new, recompute the whole chain, and record the result."""
    audit_seal()
    vouched = AuditVerification.objects.filter(ok=True, head_seq__isnull=False).first()
    check = _walk(vouched)
    with transaction.atomic():
        verification = AuditVerification.objects.create(
            by=by if by is not None and by.pk else None,
            ok=check.ok,
            rows_checked=check.rows_checked,
            head_seq=check.head_seq,
            head_hash=check.head_hash,
            problem=check.problem,
            broken_event=check.broken_event,
        )
    return verification
