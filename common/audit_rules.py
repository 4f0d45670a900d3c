"""What an audit row is about, and the one way past its append-only triggers (a test's flush).

A row names its case (`subject`, a trial ID) and its trial so the audit page finds every event
about a case through an index; both are read from the identifiers services already put in the
detail, so no call site has a second way of saying them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

# A trial ID is the trial's code, a hyphen and a number: CARA-0001, CARA-WMP-0042.
TRIAL_ID = re.compile(r"^(?P<trial>[A-Za-z0-9][A-Za-z0-9_-]*)-(?P<number>\d+)$")


def trial_of(trial_id: str) -> str:
    """Return the trial code a trial ID belongs to ('' when it is not a trial ID)."""
    match = TRIAL_ID.match(trial_id or "")
    return match["trial"] if match else ""


def scope_of(detail: Mapping[str, Any]) -> tuple[str, str, list[str]]:
    """Return (trial, subject, mentions) named by an event's detail."""
    subject = detail.get("participant")
    subject = subject if isinstance(subject, str) and TRIAL_ID.match(subject) else ""
    listed = detail.get("participants")
    mentions = sorted(
        {p for p in listed if isinstance(p, str) and TRIAL_ID.match(p)}
        if isinstance(listed, list | tuple)
        else set()
    )
    trial = detail.get("trial")
    if not isinstance(trial, str) or not trial:
        trial = trial_of(subject) or (trial_of(mentions[0]) if mentions else "")
    return trial[:40], subject[:64], mentions


# SQLite triggers cannot read a session setting, so the DELETE trigger calls this function,
# which only the application's own connections have: another client's DELETE fails.
_flush_allowed = False


def sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Give an SQLite connection the function the audit trail's DELETE trigger asks."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("cara_audit_flush", 0, lambda: int(_flush_allowed))


@contextlib.contextmanager
def audit_flush_allowed() -> Iterator[None]:
    """Let `manage.py flush` (a test's teardown) empty the audit tables, and nothing else."""
    global _flush_allowed
    _flush_allowed = True
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET cara.audit_flush = 'on'")
    try:
        yield
    finally:
        _flush_allowed = False
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("RESET cara.audit_flush")
