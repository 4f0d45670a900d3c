from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default = True
    name = "privacy"
    verbose_name = "Audit trail, subject access and erasure"
