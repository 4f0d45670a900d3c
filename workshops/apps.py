from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self) -> None:
        # The officer dashboard's "breach to act on" bucket is ours to fill (see
        # participants/dashboard.py).
        from workshops.selectors import register_breach_bucket
        from workshops.services import notices_register

        register_breach_bucket()
        notices_register()
