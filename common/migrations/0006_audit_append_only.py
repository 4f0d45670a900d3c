"""The audit trail becomes append-only: triggers refuse UPDATE, DELETE and TRUNCATE.

One UPDATE is let through: the sealer's, which gives an unsealed row its chain place and hashes
and changes nothing else. `manage.py flush` (tests) empties the tables past the triggers through
common/audit_rules.py: a session setting on PostgreSQL, an application-only SQL function on
SQLite (any other client's DELETE fails for want of it).

Rows written before this migration are given their case and trial from their detail first.
"""

from django.db import migrations

MESSAGE = "the audit trail is append-only"
CONTENT = [
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "trial",
    "subject",
    "detail",
]

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION common_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF current_setting('cara.audit_flush', true) = 'on' THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'common_auditevent'
          AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
          AND {" AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in CONTENT)} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE}: % of % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER common_audit_append_only BEFORE UPDATE OR DELETE ON common_auditevent
    FOR EACH ROW EXECUTE FUNCTION common_audit_append_only();
CREATE TRIGGER common_audit_no_truncate BEFORE TRUNCATE ON common_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION common_audit_append_only();
CREATE TRIGGER common_audit_mention_append_only BEFORE UPDATE OR DELETE ON common_auditmention
    FOR EACH ROW EXECUTE FUNCTION common_audit_append_only();
CREATE TRIGGER common_audit_mention_no_truncate BEFORE TRUNCATE ON common_auditmention
    FOR EACH STATEMENT EXECUTE FUNCTION common_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS common_audit_append_only ON common_auditevent;
DROP TRIGGER IF EXISTS common_audit_no_truncate ON common_auditevent;
DROP TRIGGER IF EXISTS common_audit_mention_append_only ON common_auditmention;
DROP TRIGGER IF EXISTS common_audit_mention_no_truncate ON common_auditmention;
DROP FUNCTION IF EXISTS common_audit_append_only();
"""
SEALING = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
SQLITE_UP = [
    f"CREATE TRIGGER common_audit_append_only BEFORE UPDATE ON common_auditevent "
    f"WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND {SEALING}) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END;",
    f"CREATE TRIGGER common_audit_no_delete BEFORE DELETE ON common_auditevent "
    f"WHEN NOT cara_audit_flush() BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END;",
    f"CREATE TRIGGER common_audit_mention_append_only BEFORE UPDATE ON common_auditmention "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END;",
    f"CREATE TRIGGER common_audit_mention_no_delete BEFORE DELETE ON common_auditmention "
    f"WHEN NOT cara_audit_flush() BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS common_audit_append_only;",
    "DROP TRIGGER IF EXISTS common_audit_no_delete;",
    "DROP TRIGGER IF EXISTS common_audit_mention_append_only;",
    "DROP TRIGGER IF EXISTS common_audit_mention_no_delete;",
]


def scope_earlier_rows(apps, schema_editor):
    from common.audit_rules import scope_of

    AuditEvent = apps.get_model("common", "AuditEvent")
    AuditMention = apps.get_model("common", "AuditMention")
    for event in AuditEvent.objects.iterator(chunk_size=2000):
        trial, subject, mentions = scope_of(event.detail or {})
        if trial or subject:
            AuditEvent.objects.filter(pk=event.pk).update(trial=trial, subject=subject)
        AuditMention.objects.bulk_create(AuditMention(event=event, subject=m) for m in mentions)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("common", "0005_audit_chain")]
    operations = [
        migrations.RunPython(scope_earlier_rows, migrations.RunPython.noop),
        migrations.RunPython(forwards, backwards),
    ]
