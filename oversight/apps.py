from django.apps import AppConfig


class OversightConfig(AppConfig):
    default = True
    name = "oversight"
    verbose_name = "Programme oversight and data quality across forces and trials"
