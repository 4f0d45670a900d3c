"""Print a demo user's current two-factor code (demo mode only: it stands in for their phone)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.models import User
from signin.selectors import authenticator_key
from signin.services import code_now


class Command(BaseCommand):
    help = "Print the code a demo user's authenticator app would show now (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("signin_code runs in demo mode only: a real code is on a phone.")
        user = User.objects.filter(username=options["username"]).first()
        key = authenticator_key(user) if user is not None else None
        if key is None:
            raise CommandError(f"{options['username']} has no authenticator set up.")
        self.stdout.write(code_now(key))
