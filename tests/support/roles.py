"""Recreate the role groups after a transactional test flushed them.

A flush re-creates permissions (post_migrate) but not the groups that data migrations made, so
tests that run after a `django_db(transaction=True)` test would find no roles. Every migration
that grants permissions to roles declares them in a module-level GRANTS dict; this reapplies all.
"""

from __future__ import annotations

import importlib
import pkgutil

from django.contrib.auth.models import Group, Permission

from common.backends import role_permissions_forget

PROJECT_APPS = ["common", "trial", "participants", "workshops", "outcomes", "reports"]


def all_grants() -> dict[str, list[str]]:
    """Collect the GRANTS of every project migration, merged by group name."""
    grants: dict[str, list[str]] = {}
    for app in PROJECT_APPS:
        package = importlib.import_module(f"{app}.migrations")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{app}.migrations.{info.name}")
            for group, perms in getattr(module, "GRANTS", {}).items():
                grants.setdefault(group, []).extend(perms)
    return grants


def roles_restore() -> None:
    """Make sure every role group exists with every permission its migrations granted."""
    role_permissions_forget()
    for group_name, perms in all_grants().items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
