"""Encrypt the victim's reason for withdrawing consent; an empty reason becomes NULL."""

from django.conf import settings
from django.db import migrations, models

import common.crypto
from common.migration_helpers import encrypt_column

REASON = encrypt_column("participants.Consent", "withdrawal_reason", empty_as_null=True)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0002_grants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="consent",
            name="consent_withdrawal_after_consent",
        ),
        migrations.AlterField(
            model_name="consent",
            name="withdrawal_reason",
            field=common.crypto.EncryptedTextField(blank=True, null=True),
        ),
        migrations.RunPython(*REASON),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("withdrawn_on__isnull", True),
                    models.Q(
                        ("decision", "given"),
                        ("withdrawn_on__gte", models.F("decided_on")),
                        ("withdrawal_reason__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="consent_withdrawal_after_consent",
            ),
        ),
    ]
