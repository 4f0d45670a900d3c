"""Organisations and memberships: one installation, several forces and trials.

A force becomes an organisation its areas point to, each provider gets its organisation, and a
user's roles become memberships: everyone who held a role keeps it in every trial that exists
(they could open every trial before), the data protection officer across the installation.
Nobody is left in the role groups: the groups keep the permissions, memberships grant them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from common.migration_helpers import grant_permissions, revoke_permissions

INSTALLATION_ROLES = ["Data protection officer"]
ROLES = [
    "Case officer",
    "Counsellor",
    "Researcher",
    "Trial manager",
    "Data manager",
    "National coordinator",
    "Data protection officer",
]
GRANTS = {
    "National coordinator": ["common.oversight_pages"],
    "Trial manager": [
        "common.view_organisation",
        "common.add_organisation",
        "common.change_organisation",
        "common.view_membership",
    ],
}


def organisations(apps, schema_editor):
    organisation = apps.get_model("common", "Organisation")
    for area in apps.get_model("common", "PoliceArea").objects.all():
        force, _ = organisation.objects.get_or_create(
            name=area.force_name.strip() or "Unnamed force", defaults={"kind": "force"}
        )
        area.force = force
        area.save(update_fields=["force"])
    for provider in apps.get_model("common", "Provider").objects.all():
        name = provider.name
        if organisation.objects.filter(name=name).exclude(kind="provider").exists():
            name = f"{name} (provider)"
        provider.organisation, _ = organisation.objects.get_or_create(
            name=name, defaults={"kind": "provider"}
        )
        provider.save(update_fields=["organisation"])


def memberships(apps, schema_editor):
    user_model = apps.get_model("common", "User")
    membership = apps.get_model("common", "Membership")
    trial_ids = list(apps.get_model("trial", "Trial").objects.values_list("pk", flat=True))
    for user in user_model.objects.prefetch_related("groups"):
        if user.police_area_id:
            user.organisation_id = user.police_area.force_id
        elif user.provider_id:
            user.organisation_id = user.provider.organisation_id
        user.save(update_fields=["organisation"])
        for group in user.groups.all():
            if group.name not in ROLES:
                continue
            if group.name in INSTALLATION_ROLES:
                membership.objects.create(user=user, trial_id=None, role=group.name)
                continue
            for trial_id in trial_ids:
                membership.objects.create(user=user, trial_id=trial_id, role=group.name)
        user.groups.remove(*[g for g in user.groups.all() if g.name in ROLES])


def memberships_back(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for m in apps.get_model("common", "Membership").objects.select_related("user"):
        group, _ = group_model.objects.get_or_create(name=m.role)
        m.user.groups.add(group)


def areas_back(apps, schema_editor):
    for area in apps.get_model("common", "PoliceArea").objects.select_related("force"):
        area.force_name = area.force.name
        area.save(update_fields=["force_name"])


def grants(apps, schema_editor):
    grant_permissions(apps, GRANTS)


def grants_back(apps, schema_editor):
    revoke_permissions(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0007_audit_pages"),
        ("trial", "0011_retention"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("force", "Police force"),
                            ("provider", "Workshop provider"),
                            ("university", "University"),
                        ],
                        max_length=12,
                    ),
                ),
            ],
            options={
                "ordering": ["kind", "name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(kind__in=["force", "provider", "university"]),
                        name="organisation_kind_valid",
                    )
                ],
            },
        ),
        migrations.RenameField("policearea", "force", "force_name"),
        migrations.AddField(
            model_name="policearea",
            name="force",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="areas",
                limit_choices_to={"kind": "force"},
                to="common.organisation",
                help_text="The police force, e.g. Hampshire Constabulary.",
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="organisation",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="provider",
                limit_choices_to={"kind": "provider"},
                to="common.organisation",
            ),
        ),
        migrations.RunPython(organisations, areas_back),
        migrations.RemoveField("policearea", "force_name"),
        migrations.AlterField(
            model_name="policearea",
            name="force",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="areas",
                limit_choices_to={"kind": "force"},
                to="common.organisation",
                help_text="The police force, e.g. Hampshire Constabulary.",
            ),
        ),
        migrations.AlterField(
            model_name="provider",
            name="organisation",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="provider",
                limit_choices_to={"kind": "provider"},
                to="common.organisation",
            ),
        ),
        migrations.AlterModelOptions(
            name="policearea", options={"ordering": ["force__name", "name"]}
        ),
        migrations.AddField(
            model_name="user",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="common.organisation",
                help_text="The force, provider or university the person works for.",
            ),
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("role", models.CharField(max_length=40)),
                ("granted_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "granted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "trial",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="trial.trial",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["trial__code", "role"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "trial", "role"), name="membership_unique"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(trial__isnull=True),
                        fields=("user", "role"),
                        name="membership_installation_unique",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(role__in=ROLES), name="membership_role_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(trial__isnull=True, role__in=INSTALLATION_ROLES)
                        | (models.Q(trial__isnull=False) & ~models.Q(role__in=INSTALLATION_ROLES)),
                        name="membership_trial_iff_trial_role",
                    ),
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="access",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("officer_pages", "Open the case officer's pages"),
                    ("counsellor_pages", "Open the counsellor's pages"),
                    ("research_pages", "Open the researcher's pages"),
                    ("manage_trial", "Configure trials, users and areas"),
                    ("manage_data", "Load re-offence data and resolve unmatched records"),
                    ("audit_pages", "Read the audit trail and answer subject access requests"),
                    ("oversight_pages", "Compare trials and forces, pseudonymised"),
                ],
            },
        ),
        migrations.RunPython(grants, grants_back),
        migrations.RunPython(memberships, memberships_back),
    ]
