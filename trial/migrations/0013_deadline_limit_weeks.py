from django.db import migrations, models


class Migration(migrations.Migration):
    # After 0012 (screening correction days) when both are merged; 0011 is this branch's base.
    dependencies = [
        ("trial", "0012_screening_correction_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="trial",
            name="deadline_limit_weeks",
            field=models.PositiveSmallIntegerField(
                default=20,
                help_text=(
                    "The caution's legal limit: a case officer may extend a man's workshop "
                    "deadline, with a reason, to at most this many weeks after his caution."
                ),
                verbose_name="Latest extended deadline (weeks after the caution)",
            ),
        ),
    ]
