"""Erase a closed trial's personal data (the nightly job does it when retention ends)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import DomainError
from privacy.services import personal_data_erase
from trial.selectors import trial_by_code


class Command(BaseCommand):
    help = (
        "Erase names, contacts, dates of birth, PNC IDs and free text of every case of a closed "
        "trial, keeping the pseudonymised data, the allocation chains and the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trial", required=True, help="Trial code, e.g. CARA")
        parser.add_argument(
            "--early-reason",
            default="",
            help="Why the data go before the retention period ends (kept in the audit trail).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        trial = trial_by_code(options["trial"])
        if trial is None:
            raise CommandError(f"No trial with code {options['trial']}.")
        try:
            counts = personal_data_erase(trial=trial, by=None, early_reason=options["early_reason"])
        except DomainError as error:
            raise CommandError(error.message) from error
        summary = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
        self.stdout.write(f"{trial.code}: personal data erased ({summary}).")
