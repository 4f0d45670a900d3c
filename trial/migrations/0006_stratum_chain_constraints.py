"""A position is unique within its stratum's chain; the trial's chain head is its history's."""

from django.db import migrations, models

MESSAGE = "allocations are irreversible: record a post-randomisation event instead"
SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS trial_allocation_irreversible BEFORE UPDATE ON "
    f"trial_allocation BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
)


def recreate_sqlite_trigger(apps, schema_editor):
    # SQLite rebuilds trial_allocation to add or drop the constraint, dropping its trigger.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("trial", "0005_stratum_chains")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_trigger),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.UniqueConstraint(
                fields=("stratum", "seq"), name="allocation_seq_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("imported", True)),
                fields=("trial", "seq"),
                name="allocation_history_seq_unique",
            ),
        ),
        migrations.RenameField(
            model_name="trial", old_name="chain_length", new_name="history_length"
        ),
        migrations.RenameField(model_name="trial", old_name="chain_head", new_name="history_head"),
        migrations.RunPython(recreate_sqlite_trigger, migrations.RunPython.noop),
    ]
