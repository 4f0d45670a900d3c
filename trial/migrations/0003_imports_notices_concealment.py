"""Imported allocations (no slot), e-mail notices, the view_sequence permission.

SQLite rebuilds trial_allocation to alter it, which drops its trigger from 0002: recreate it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SQLITE_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS trial_allocation_irreversible BEFORE UPDATE ON trial_allocation "
    "BEGIN SELECT RAISE(ABORT, 'allocations are irreversible: record a post-randomisation event "
    "instead'); END;"
)


def recreate_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("trial", "0002_irreversible_allocations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AllocationNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("recipient", models.EmailField(max_length=254)),
                ("sent_at", models.DateTimeField()),
            ],
        ),
        migrations.AlterModelOptions(
            name="stratum",
            options={
                "ordering": ["trial", "key"],
                "permissions": [
                    ("view_sequence", "View and export the stored randomisation sequence")
                ],
                "verbose_name_plural": "strata",
            },
        ),
        migrations.AddField(
            model_name="allocation",
            name="imported",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="trial",
            name="allocations_imported",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="allocation",
            name="slot",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocation",
                to="trial.slot",
            ),
        ),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("imported", False), ("slot__isnull", False)),
                    models.Q(("imported", True), ("slot__isnull", True)),
                    _connector="OR",
                ),
                name="allocation_slot_unless_imported",
            ),
        ),
        migrations.AddConstraint(
            model_name="postrandomisationevent",
            constraint=models.UniqueConstraint(
                fields=("allocation", "kind"), name="post_randomisation_once_per_kind"
            ),
        ),
        migrations.AddField(
            model_name="allocationnotice",
            name="allocation",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notice",
                to="trial.allocation",
            ),
        ),
        migrations.RunPython(recreate_sqlite_trigger, migrations.RunPython.noop),
    ]
