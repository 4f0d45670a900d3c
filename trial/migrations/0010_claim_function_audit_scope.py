"""The claim function's audit row names its case and trial in their own columns.

The audit page finds every event about a case through AuditEvent.subject (common/0005); the
rows this function writes fill it as audit_record does. The function is otherwise 0009's.
"""

import importlib

from django.db import migrations

previous = importlib.import_module("trial.migrations.0009_claim_function_clock")

OLD_INSERT = """INSERT INTO common_auditevent (at, actor_id, action, object_type, object_id, detail)
         VALUES (v_at, p_by, 'allocation.claim', 'trial.Allocation', v_id::text,"""
NEW_INSERT = """INSERT INTO common_auditevent (at, actor_id, action, object_type, object_id, trial,
                                   subject, detail)
         VALUES (v_at, p_by, 'allocation.claim', 'trial.Allocation', v_id::text, t.code,
                 p_participant_key,"""
assert OLD_INSERT in previous.POSTGRES_UP
POSTGRES_UP = previous.POSTGRES_UP.replace(OLD_INSERT, NEW_INSERT)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(previous.POSTGRES_UP)


class Migration(migrations.Migration):
    dependencies = [
        ("trial", "0009_claim_function_clock"),
        ("common", "0006_audit_append_only"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
