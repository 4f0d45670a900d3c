"""Remove kept extract files older than IMPORT_FILE_RETENTION_DAYS (the nightly job, by hand)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.models import User
from outcomes.services import import_files_expire


class Command(BaseCommand):
    help = (
        "Remove the uploads, quarantined files and drop folders' imported extracts written more "
        "than IMPORT_FILE_RETENTION_DAYS days ago, and seal any kept file still in clear (kept "
        "before files were sealed). Audited; the same job runs every night."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Username recorded in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']}.")
        result = import_files_expire(by=user)
        days = settings.IMPORT_FILE_RETENTION_DAYS
        runs = ", ".join(str(pk) for pk in result.runs) or "none"
        self.stdout.write(
            f"Removed {result.removed} file(s) older than {days} days (import runs: {runs}); "
            f"sealed {result.sealed} file(s) found in clear."
        )
