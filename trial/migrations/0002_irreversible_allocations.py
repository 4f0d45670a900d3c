"""Database triggers that refuse edits to allocations and slots, whatever the client.

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE only, because Django empties SQLite
tables with DELETE when tests flush them; deletes there are refused by the ORM (models.py).
"""

from django.db import migrations

MESSAGE = "allocations are irreversible: record a post-randomisation event instead"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION trial_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trial_allocation_irreversible BEFORE UPDATE OR DELETE ON trial_allocation
    FOR EACH ROW EXECUTE FUNCTION trial_refuse_change();
CREATE TRIGGER trial_slot_irreversible BEFORE UPDATE OR DELETE ON trial_slot
    FOR EACH ROW EXECUTE FUNCTION trial_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS trial_allocation_irreversible ON trial_allocation;
DROP TRIGGER IF EXISTS trial_slot_irreversible ON trial_slot;
DROP FUNCTION IF EXISTS trial_refuse_change();
"""
SQLITE_UP = [
    f"CREATE TRIGGER trial_allocation_irreversible BEFORE UPDATE ON trial_allocation "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER trial_slot_irreversible BEFORE UPDATE ON trial_slot "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS trial_allocation_irreversible;",
    "DROP TRIGGER IF EXISTS trial_slot_irreversible;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
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
    dependencies = [("trial", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
