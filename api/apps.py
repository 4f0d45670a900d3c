from django.apps import AppConfig


class ApiConfig(AppConfig):
    default = True
    name = "api"
    verbose_name = "REST API for custody and records systems"
