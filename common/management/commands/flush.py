"""Django's flush, allowed past the audit trail's triggers only where tests run."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush

from common.audit_rules import audit_flush_allowed


class Command(flush.Command):
    help = "Empty the database (tests only: the audit trail is append-only everywhere else)."

    def handle(self, **options: Any) -> None:
        if not settings.TESTING:
            raise CommandError("flush would erase the audit trail, which is append-only.")
        with audit_flush_allowed():
            super().handle(**options)
