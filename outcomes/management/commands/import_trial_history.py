"""Import a trial randomised elsewhere (participants and re-offences) so it can be analysed here."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import DomainError
from common.models import User
from outcomes.services import (
    ERRORS_SHOWN,
    HistoryOptions,
    HistoryRejectedError,
    HistoryResult,
    trial_history_import,
)


def _ratios(text: str) -> dict[str, int]:
    try:
        pairs = [part.split("=") for part in text.split(",")]
        return {code.strip(): int(ratio) for code, ratio in pairs}
    except ValueError as exc:
        raise CommandError(f"--ratio {text}: write it as cara=1,control=1.") from exc


def _windows(text: str) -> list[int]:
    try:
        return [int(m) for m in text.split(",")]
    except ValueError as exc:
        raise CommandError(f"--windows {text}: write whole months, e.g. 12,24.") from exc


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--data-lock {text}: write the day as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Load PARTICIPANTS.csv and REOFFENCES.csv of a trial randomised elsewhere (see "
        "docs/import-history.md): both files or nothing. Creates the trial when it does not "
        "exist, then freezes every closed follow-up window."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("participants", type=Path, help="PARTICIPANTS.csv")
        parser.add_argument("reoffences", type=Path, help="REOFFENCES.csv")
        parser.add_argument("--trial", required=True, help="Trial code, e.g. CARA")
        parser.add_argument("--user", help="Username recorded in the audit trail")
        group = parser.add_argument_group("when the trial is created")
        group.add_argument("--title", help="Trial title (default: CODE (imported history))")
        group.add_argument("--ratio", type=_ratios, help="e.g. cara=1,control=1 (default 1:1)")
        group.add_argument(
            "--intervention",
            type=lambda text: [code.strip() for code in text.split(",")],
            help="Intervention arm code(s); default: the arm that is not 'control'",
        )
        group.add_argument("--windows", type=_windows, help="Follow-up months (default 12,24)")
        group.add_argument("--factor", help="Name of the stratum column's factor (default stratum)")
        group.add_argument(
            "--randomisation",
            help="How the source trial randomised, in its own words (e.g. 'permuted blocks of 4 "
            "and 6 within police area, by a central telephone service'); without it the report "
            "says the method is not known to this application",
        )
        parser.add_argument(
            "--data-lock",
            type=_day,
            help="YYYY-MM-DD: the day the source trial locked its data; no row may be dated "
            "after it and snapshots are frozen as of it (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']}.")
        choices = HistoryOptions(
            title=options["title"],
            ratios=options["ratio"],
            intervention=options["intervention"],
            windows=options["windows"],
            factor=options["factor"],
            randomisation=options["randomisation"],
        )
        try:
            result = trial_history_import(
                code=options["trial"],
                participants=options["participants"],
                reoffences=options["reoffences"],
                options=choices,
                by=user,
                data_lock=options["data_lock"],
            )
        except HistoryRejectedError as exc:
            lines = [f"{e.file} row {e.row} {e.column}: {e.message}" for e in exc.errors]
            if len(lines) > ERRORS_SHOWN:
                lines = [*lines[:ERRORS_SHOWN], f"... and {len(lines) - ERRORS_SHOWN} more."]
            kept = ", ".join(exc.kept)
            lines += [f"Error report: {exc.report}", f"Files kept in quarantine: {kept}"]
            raise CommandError("\n".join([exc.message, *lines])) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(summary(result)))


def summary(result: HistoryResult) -> str:
    """Say what the import did, in the words the data manager needs."""
    trial = result.trial
    lines = [f"Trial {trial.code} {'created' if result.created else 'exists'}"]
    if result.added_nothing:
        lines[0] += ": nothing new in these files (already imported)."
    else:
        lines[0] += f" ({trial.get_status_display().lower()}, windows {trial.follow_up_months})."
    lines.append(
        f"Participants: {result.participants_added} added, {result.participants_known} already "
        f"imported. Re-offences: {result.records_added} added, {result.records_known} already "
        "imported."
    )
    if result.records_not_counted:
        lines.append(
            f"{result.records_not_counted} re-offence(s) dated on or before randomisation: kept, "
            "counted in no window."
        )
    as_of = f" as of {result.as_of:%d/%m/%Y}" if result.as_of else ""
    lines.append(
        f"Snapshots: {result.frozen} frozen{as_of}, {result.corrected} corrected (new records in "
        "frozen windows)."
    )
    if result.blocked or result.unscored:
        lines.append(
            f"{result.blocked} snapshot(s) wait for offence codes the catalogue lacks "
            f"({', '.join(result.unscored)}): load or map them (docs/follow-up.md, section 3)."
        )
    return "\n".join(lines)
