"""Let trial managers read the workshop records in the admin."""

from django.db import migrations

from common.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Trial manager": [
        "workshops.view_cycle",
        "workshops.view_session",
        "workshops.view_booking",
        "workshops.view_breach",
        "workshops.view_reminder",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial"), ("common", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
