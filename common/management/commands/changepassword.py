"""Set a user's password from the command line, audited (no page lets anyone do it)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import DomainError
from common.models import User
from common.services import user_password_set


class Command(BaseCommand):
    help = "Set a user's password (recorded in the audit trail)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']}.")
        password = getpass.getpass(f"New password of {user.username}: ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("The two passwords differ.")
        try:
            user_password_set(user=user, password=password, via="changepassword")
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Password of {user.username} changed.")
