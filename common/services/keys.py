"""Key rotation: every encrypted column of every app rewritten under the newest key.

Raw SQL on purpose: reading through the models would decrypt and re-encrypt each value in
Python objects and call save() on every row; the UPDATE touches only the ciphertext columns.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models, transaction

from common.crypto import EncryptedDateField, EncryptedTextField, reencrypt
from common.models import User
from common.services.audit import audit_record

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


def personal_data_reencrypt(*, by: User | None = None) -> dict[str, int]:
    """Re-encrypt every table's personal data under the first key; rows per model label."""
    counts = {
        model._meta.label: reencrypt_table(model, columns) for model, columns in encrypted_columns()
    }
    with transaction.atomic():
        audit_record(actor=by, action="personal_data.reencrypt", rows=sum(counts.values()))
    return counts
