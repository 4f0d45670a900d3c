"""Export seeds, design and stored sequence of a trial for an offline check (audited)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import DomainError
from common.models import User
from trial.models import Trial
from trial.services import sequence_export


class Command(BaseCommand):
    help = (
        "Write a trial's seeds, designs and stored sequence as JSON for docs/check_sequence.py. "
        "The user named must hold trial.view_sequence; the export is audited with the reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trial", required=True, help="Trial code, e.g. CARA")
        parser.add_argument("--user", required=True, help="Username of the person exporting")
        parser.add_argument("--reason", required=True, help="Why the export is needed")
        parser.add_argument("--output", required=True, help="File to write (JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        trial = Trial.objects.filter(code=options["trial"]).first()
        if trial is None:
            raise CommandError(f"No trial with code {options['trial']}.")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']}.")
        try:
            data = sequence_export(trial=trial, reason=options["reason"], by=user)
        except DomainError as error:
            raise CommandError(error.message) from error
        output = Path(options["output"])
        output.write_text(json.dumps(data, indent=2))
        output.chmod(0o600)  # the seeds predict every future allocation
        self.stdout.write(f"Wrote {output} for {trial.code}; the export is in the audit trail.")
