"""Encrypt attendance reasons and officers' breach notes at rest."""

from django.db import migrations

import common.crypto
from common.migration_helpers import encrypt_column

REASON = encrypt_column("workshops.Booking", "attendance_reason")
NOTE = encrypt_column("workshops.Breach", "outcome_note")


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0002_grants"),
    ]

    operations = [
        migrations.AlterField(
            model_name="booking",
            name="attendance_reason",
            field=common.crypto.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="breach",
            name="outcome_note",
            field=common.crypto.EncryptedTextField(blank=True, default=""),
        ),
        migrations.RunPython(*REASON),
        migrations.RunPython(*NOTE),
    ]
