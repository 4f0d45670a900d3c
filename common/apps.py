from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CommonConfig(AppConfig):
    default = True
    name = "common"
    verbose_name = "Users, areas and audit"


class TrialAdminConfig(admin_apps.AdminConfig):
    """Django admin on a site that only trial managers may enter."""

    default = False
    default_site = "common.admin_site.TrialAdminSite"
