"""Load (or refresh) the demo trial and print the demo users' sign-in details."""

from __future__ import annotations

import getpass
import socket
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.loader import demo_load, demo_load_forced

REFUSAL = (
    "load_demo refused: this installation is not in demo mode (the setting DEMO_MODE, set by "
    "the environment variable DJANGO_DEMO=1, is off). The demo adds invented users with printed "
    "passwords and invented cases, which have no place in a live trial's database. For a "
    "training installation run `manage.py load_demo --force --reason '...'`: the load is "
    "recorded in the audit trail, with who forced it."
)


class Command(BaseCommand):
    help = "Load the demo (two forces, two CARA trials, users per role), printing their passwords."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load it outside demo mode (a training installation); recorded in the audit.",
        )
        parser.add_argument(
            "--reason", default="", help="With --force: why (kept in the audit event)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE and not options["force"]:
            raise CommandError(REFUSAL)
        with transaction.atomic():
            if settings.DEMO_MODE:
                result = demo_load()
            else:
                result = demo_load_forced(
                    operator=getpass.getuser(),
                    host=socket.gethostname(),
                    reason=options["reason"] or "(none given)",
                )
        self.stdout.write(self.style.SUCCESS(result.summary))
        self.stdout.write("\nDemo users (passwords are new each time the demo is loaded):")
        for login in result.logins:
            self.stdout.write(
                f"  username: {login.username:<15} password: {login.password}   {login.roles}"
            )
            if login.authenticator_key:
                self.stdout.write(
                    f"  {'':<10}two-factor: add key {login.authenticator_key} to an "
                    f"authenticator app, or run `manage.py signin_code {login.username}`"
                )
