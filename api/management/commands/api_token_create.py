"""Create a service token for one trial and organisation; print its secret once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from api.selectors import Scope
from api.services import token_create_service
from common.exceptions import DomainError
from common.selectors import organisations, police_areas
from trial.selectors import trial_by_code


class Command(BaseCommand):
    help = (
        "Create a service token (--trial CODE --organisation NAME --scope S [--scope S] "
        "--name NAME [--police-area CODE] [--days N]); the secret is printed once and never "
        "stored. A custody system's token (screening or enrolment) acts in one police area."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--trial", required=True, help="Trial code, e.g. CARA-HANTS")
        parser.add_argument("--organisation", required=True, help="The organisation's name")
        parser.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        parser.add_argument("--name", required=True, help="Which system uses it")
        parser.add_argument("--days", type=int, default=365, help="Days until it expires")
        parser.add_argument(
            "--police-area", default="", help="The area's code (screening and enrolment only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        trial = trial_by_code(options["trial"])
        if trial is None:
            raise CommandError(f"No trial with code {options['trial']}.")
        organisation = organisations().filter(name=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation named {options['organisation']}.")
        area = None
        if options["police_area"]:
            area = police_areas(organisation).filter(code=options["police_area"]).first()
            if area is None:
                raise CommandError(
                    f"{organisation.name} has no police area with code {options['police_area']}."
                )
        expires_at = timezone.now() + datetime.timedelta(days=options["days"])
        try:
            token, secret = token_create_service(
                name=options["name"],
                trial=trial,
                organisation=organisation,
                scopes=options["scopes"],
                expires_at=expires_at,
                police_area=area,
                by=None,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stderr.write(
            f"Token {token.prefix}… for {trial.code} ({', '.join(token.scopes)}), "
            f"expires {token.expires_at:%Y-%m-%d}. The secret below is shown once:"
        )
        self.stdout.write(secret)
