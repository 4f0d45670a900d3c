"""Re-encrypt every encrypted column under the newest key, so an old key can be retired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from common.services import personal_data_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt personal data under the first key of FIELD_ENCRYPTION_KEYS (key rotation)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = personal_data_reencrypt()
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use the newest key."))
