"""Helpers for data migrations that create roles and grant them permissions.

Permissions are normally created after all migrations have run (post_migrate), so a migration
that grants them must create them first; each app's grant migration calls `grant_permissions`.
"""

from __future__ import annotations

from collections.abc import Callable
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


def encrypt_column(
    model_label: str, column: str, *, empty_as_null: bool = False
) -> tuple[Callable[[Any, Any], None], Callable[[Any, Any], None]]:
    """Return RunPython (forward, backward) that encrypt a text column in place, and back.

    Raw SQL: the historical model already has the encrypted field, which cannot read clear text.
    """

    def table(apps: Any) -> str:
        return str(apps.get_model(model_label)._meta.db_table)

    def rewrite(apps: Any, schema_editor: Any, convert: Callable[[str], str | None]) -> None:
        quote = schema_editor.connection.ops.quote_name
        name = quote(table(apps))
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {quote(column)} FROM {name}")  # noqa: S608
            rows = [(pk, value) for pk, value in cursor.fetchall() if value is not None]
            for pk, value in rows:
                cursor.execute(
                    f"UPDATE {name} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                    [convert(value), pk],
                )

    def forward(apps: Any, schema_editor: Any) -> None:
        from common.crypto import PREFIX, encrypt

        def convert(value: str) -> str | None:
            if value.startswith(PREFIX):
                return value
            return None if (empty_as_null and value == "") else encrypt(value)

        rewrite(apps, schema_editor, convert)

    def backward(apps: Any, schema_editor: Any) -> None:
        from common.crypto import PREFIX, decrypt

        rewrite(apps, schema_editor, lambda v: decrypt(v) if v.startswith(PREFIX) else v)

    return forward, backward
