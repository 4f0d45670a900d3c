"""Helpers for data migrations that create roles and grant them permissions.

Permissions are normally created after all migrations have run (post_migrate), so a migration
that grants them must create them first; each app's grant migration calls `grant_permissions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions


def grant_permissions(apps: Any, grants: dict[str, list[str]]) -> None:
    """Create the groups named in grants and give each the listed 'app_label.codename's."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, perms in grants.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke_permissions(apps: Any, grants: dict[str, list[str]]) -> None:
    """Undo grant_permissions (groups are kept)."""
    group_model = apps.get_model("auth", "Group")
    for group_name, perms in grants.items():
        for group in group_model.objects.filter(name=group_name):
            for dotted in perms:
                app_label, codename = dotted.split(".", 1)
                group.permissions.remove(
                    *group.permissions.filter(content_type__app_label=app_label, codename=codename)
                )
