"""Create a superuser from the command line: the first one, or on an existing superuser's word.

Replaces Django's createsuperuser so that the account is made by the audited service. Once a
superuser exists, --by names an existing superuser, whose password is asked for (or read from
DJANGO_BY_PASSWORD with --noinput); the new password is asked for twice (or read from
DJANGO_SUPERUSER_PASSWORD).
"""

from __future__ import annotations

import getpass
import os
import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import DomainError
from common.models import User
from common.services import superuser_create


class Command(BaseCommand):
    help = "Create a superuser (audited); once one exists, only on an existing superuser's word."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--by", help="username of the existing superuser who authorises it")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def _secret(self, prompt: str, variable: str, interactive: bool, twice: bool = False) -> str:
        if not interactive:
            value = os.environ.get(variable, "")
            if not value:
                raise CommandError(f"With --noinput, set {variable}.")
            return value
        value = getpass.getpass(prompt)
        if twice and getpass.getpass("Again: ") != value:
            raise CommandError("The two passwords differ.")
        return value

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = options["interactive"]
        by = None
        if options["by"]:
            password = self._secret(
                f"Password of {options['by']}: ", "DJANGO_BY_PASSWORD", interactive
            )
            # The password itself, not authenticate(): the lockout (django-axes) counts requests
            # by address, and a command has none; whoever runs it is already on the server.
            by = User.objects.filter(username=options["by"], is_active=True).first()
            if by is None or not by.check_password(password) or not by.is_superuser:
                raise CommandError(f"{options['by']} is not a superuser with that password.")
        elif User.objects.filter(is_superuser=True).exists():
            raise CommandError("A superuser exists: name them with --by to authorise another.")
        new_password = self._secret(
            "Password of the new superuser: ", "DJANGO_SUPERUSER_PASSWORD", interactive, True
        )
        try:
            user = superuser_create(
                username=options["username"],
                email=options["email"],
                password=new_password,
                by=by,
                via=f"createsuperuser on {socket.gethostname()}",
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Superuser {user.username} created (recorded in the audit trail).")
