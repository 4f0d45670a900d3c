"""Drop two indexes the unique constraints already provide, and restore SQLite's allocation trigger.

Every index is one more write in each claim; (trial, participant_key) and (stratum, seq) lead
with the same columns. On SQLite, altering a column rebuilds the table and drops its triggers:
0005 lost trial_allocation_irreversible that way, so SQLite accepted UPDATEs of allocations
until this migration put it back (PostgreSQL keeps triggers across ALTER TABLE).
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS trial_allocation_irreversible BEFORE UPDATE ON trial_allocation "
    "BEGIN SELECT RAISE(ABORT, "
    "'allocations are irreversible: record a post-randomisation event instead'); END;"
)


def trigger_restore(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("trial", "0007_claim_function"),
    ]

    operations = [
        # Undoing the AlterFields below rebuilds the table on SQLite again: this step, undone
        # last, puts the trigger back after them.
        migrations.RunPython(migrations.RunPython.noop, trigger_restore),
        migrations.AlterField(
            model_name="allocation",
            name="stratum",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocations",
                to="trial.stratum",
            ),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="trial",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocations",
                to="trial.trial",
            ),
        ),
        migrations.RunPython(trigger_restore, migrations.RunPython.noop),
    ]
