"""Give case officers and trial managers the permissions of screening and personal data."""

from django.db import migrations

from common.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Case officer": ["participants.screen_case", "participants.view_personal_data"],
    # Trial managers see every area (each look at personal data is audited) and read the admin.
    "Trial manager": [
        "participants.screen_case",
        "participants.view_personal_data",
        "participants.view_participant",
        "participants.view_victim",
        "participants.view_consent",
        "participants.view_eligibilityruleset",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial"), ("common", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
