"""Trial managers may view the trial's records in the admin and view the stored sequence."""

from django.db import migrations

from common.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Trial manager": [
        "trial.view_sequence",
        "trial.view_trial",
        "trial.view_arm",
        "trial.view_designversion",
        "trial.view_stratum",
        "trial.view_slot",
        "trial.view_allocation",
        "trial.view_postrandomisationevent",
        "trial.view_chainverification",
        "trial.view_allocationnotice",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("trial", "0003_imports_notices_concealment"), ("common", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
