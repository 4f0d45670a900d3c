"""Users are managed on the People pages now: the admin's add and change of users go away.

Areas and providers stay changeable in the admin (saved by the audited services), and so do
trial managers' views of users and groups.
"""

from django.db import migrations

from common.migration_helpers import grant_permissions, revoke_permissions

TAKEN = {"Trial manager": ["common.add_user", "common.change_user"]}


def forwards(apps, schema_editor):
    revoke_permissions(apps, TAKEN)


def backwards(apps, schema_editor):
    grant_permissions(apps, TAKEN)


class Migration(migrations.Migration):
    dependencies = [("common", "0003_outbox")]
    operations = [migrations.RunPython(forwards, backwards)]
