import os
from importlib import import_module

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps


class CommonConfig(AppConfig):
    default = True
    name = "common"
    verbose_name = "Users, areas and audit"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from common.accounts import compose_invite, compose_reset
        from common.audit_rules import sqlite_functions
        from common.services import INVITE, RESET, register_message

        register_message(INVITE, compose_invite)
        register_message(RESET, compose_reset)
        connection_created.connect(sqlite_functions, dispatch_uid="common.sqlite_functions")
        # A Celery worker started by a test must know the message kinds the test enqueues
        # (tests/support/outbox_kinds.py): a test hook, so read only under DJANGO_TESTING.
        if settings.TESTING:
            for module in filter(None, os.environ.get("OUTBOX_TEST_KINDS", "").split(",")):
                import_module(module)


class TrialAdminConfig(admin_apps.AdminConfig):
    """Django admin on a site that only trial managers may enter."""

    default = False
    default_site = "common.admin_site.TrialAdminSite"
