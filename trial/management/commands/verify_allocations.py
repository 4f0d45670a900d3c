"""Recompute allocation hash chains; exit non-zero naming the first broken stratum and row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trial.models import Trial
from trial.services import chain_verify


class Command(BaseCommand):
    help = "Verify a trial's allocation hash chains, one per stratum (--trial CODE, or --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--trial", help="Trial code, e.g. CARA-HANTS")
        which.add_argument("--all", action="store_true", help="Every trial of the installation")

    def handle(self, *args: Any, **options: Any) -> None:
        # One installation holds several trials: say which, or say every one on purpose.
        trials = Trial.objects.all()
        if options["trial"]:
            trials = trials.filter(code=options["trial"])
            if not trials.exists():
                raise CommandError(f"No trial with code {options['trial']}.")
        broken = []
        for trial in trials:
            result = chain_verify(trial=trial, by=None)
            if result.ok:
                self.stdout.write(f"{trial.code}: intact, {result.rows_checked} rows verified")
            else:
                line = f"{trial.code}: BROKEN in {result.broken_at}: {result.message}"
                self.stderr.write(line)
                broken.append(line)
        if broken:
            raise CommandError("; ".join(broken), returncode=1)
