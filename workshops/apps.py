from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self) -> None:
        # The officer dashboard's "breach to act on" bucket is ours to fill (see
        # participants/dashboard.py).
        from participants.selectors import workshops_done_register
        from workshops.selectors import register_breach_bucket, workshops_done
        from workshops.services import notices_register

        register_breach_bucket()
        workshops_done_register(workshops_done)  # a met deadline is not "overdue" on the list
        notices_register()
