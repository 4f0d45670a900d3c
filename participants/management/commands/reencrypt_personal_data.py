"""Re-encrypt every encrypted column under the newest key, so an old key can be retired."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from common.crypto import EncryptedDateField, EncryptedTextField, reencrypt
from common.services import audit_record

BATCH = 500


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Return each model with its encrypted columns (every app, so new apps are covered)."""
    found = []
    for model in apps.get_models():
        columns = [
            str(field.column)
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField | EncryptedDateField)
        ]
        if columns and model._meta.managed:
            found.append((model, columns))
    return found


def reencrypt_table(model: type[models.Model], columns: list[str]) -> int:
    """Rewrite the table's ciphertexts under the first key, a batch per transaction."""
    quote = connection.ops.quote_name
    assert model._meta.pk is not None
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    select = ", ".join(quote(c) for c in columns)
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    # Table and column names come from the models, quoted; values are parameters.
    update = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    first = f"SELECT {pk}, {select} FROM {table} ORDER BY {pk} LIMIT {BATCH}"  # noqa: S608
    after = f"SELECT {pk}, {select} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT {BATCH}"  # noqa: S608
    done, last = 0, None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(first if last is None else after, [] if last is None else [last])
            rows = cursor.fetchall()
            for row in rows:
                values = [None if v is None else reencrypt(v) for v in row[1:]]
                cursor.execute(update, [*values, row[0]])
        if not rows:
            return done
        done += len(rows)
        last = rows[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt personal data under the first key of FIELD_ENCRYPTION_KEYS (key rotation)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, columns in encrypted_columns():
            count = reencrypt_table(model, columns)
            total += count
            self.stdout.write(
                f"{model._meta.label}: {count} rows re-encrypted ({len(columns)} columns)"
            )
        audit_record(actor=None, action="personal_data.reencrypt", rows=total)
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use the newest key."))
