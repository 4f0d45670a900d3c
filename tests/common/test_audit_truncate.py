"""TRUNCATE of the audit tables is refused on PostgreSQL (SQLite has no TRUNCATE)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from common.models import AuditEvent
from common.services import audit_record

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)  # committed rows: and the test's flush must still work
def test_truncate_is_refused_on_postgresql() -> None:
    for i in (1, 2, 3):
        audit_record(actor=None, action="participant.view", participant=f"CARA-{i:04d}")
    for table in ("common_auditevent CASCADE", "common_auditmention"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"TRUNCATE {table}")
    assert AuditEvent.objects.count() == 3
