"""A database trigger that refuses edits to analysis plan versions, whatever the client.

A change to a plan is a new version. PostgreSQL refuses UPDATE and DELETE. SQLite refuses
UPDATE only, because Django empties SQLite tables with DELETE when tests flush them.
"""

from django.db import migrations

MESSAGE = "analysis plan versions are never edited: save a new version instead"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION plans_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER plans_version_never_edited BEFORE UPDATE OR DELETE ON plans_analysisplan
    FOR EACH ROW EXECUTE FUNCTION plans_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS plans_version_never_edited ON plans_analysisplan;
DROP FUNCTION IF EXISTS plans_refuse_change();
"""
SQLITE_UP = [
    f"CREATE TRIGGER plans_version_never_edited BEFORE UPDATE ON plans_analysisplan "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS plans_version_never_edited;"]


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
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
