"""Load (or refresh) the demo trial and print the demo users' sign-in details."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.loader import demo_load


class Command(BaseCommand):
    help = "Load the demo (two forces, two CARA trials, users per role), printing their passwords."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            result = demo_load()
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
