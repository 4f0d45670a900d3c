"""Create the roles as groups, each with the permission that opens its pages."""

from django.db import migrations

from common.migration_helpers import grant_permissions, revoke_permissions

GRANTS = {
    "Case officer": ["common.officer_pages"],
    "Counsellor": ["common.counsellor_pages"],
    "Researcher": ["common.research_pages"],
    "Data manager": ["common.manage_data"],
    # Trial managers see everything (every look at personal data is audited) and manage users.
    "Trial manager": [
        "common.manage_trial",
        "common.manage_data",
        "common.research_pages",
        "common.view_user",
        "common.add_user",
        "common.change_user",
        "common.view_policearea",
        "common.add_policearea",
        "common.change_policearea",
        "common.view_provider",
        "common.add_provider",
        "common.change_provider",
        "common.view_auditevent",
        "auth.view_group",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
