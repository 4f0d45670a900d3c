from django.apps import AppConfig


class PlansConfig(AppConfig):
    default = True
    name = "plans"
    verbose_name = "Statistical analysis plans, versioned and locked before unblinding"
