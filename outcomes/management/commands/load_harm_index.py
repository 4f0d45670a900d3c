"""Load a Crime Harm Index table (CSV or the published .xlsx) as a new current version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import DomainError
from outcomes.services import CatalogueError, harm_index_load


class Command(BaseCommand):
    help = (
        "Load FILE (CSV code,title,harm_days,source or the Cambridge CCHI .xlsx) as catalogue "
        "version NAME and make it current. All rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # --version names the catalogue version here, replacing Django's "show version" flag.
        parser.conflict_handler = parser._optionals.conflict_handler = "resolve"
        parser.add_argument("file", type=Path)
        parser.add_argument("--version", required=True, dest="version_name")
        parser.add_argument("--note", default="", help="Where the values come from.")
        parser.add_argument("--not-current", action="store_true", help="Load without using it.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version, notes = harm_index_load(
                path=options["file"],
                version=options["version_name"],
                source_note=options["note"],
                make_current=not options["not_current"],
                by=None,
            )
        except CatalogueError as exc:
            raise CommandError("\n".join([exc.message, *exc.errors[:200]])) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
        state = "current" if version.is_current else "loaded, not current"
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue {version.name}: {version.entries.count()} offence codes ({state})."
            )
        )
