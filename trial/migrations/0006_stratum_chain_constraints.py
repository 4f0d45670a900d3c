"""A position is unique within its stratum's chain; the trial no longer holds a chain head."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("trial", "0005_stratum_chains")]

    operations = [
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.UniqueConstraint(
                fields=("stratum", "seq"), name="allocation_seq_unique"
            ),
        ),
        migrations.RemoveField(model_name="trial", name="chain_head"),
        migrations.RemoveField(model_name="trial", name="chain_length"),
    ]
