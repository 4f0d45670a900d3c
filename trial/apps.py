from django.apps import AppConfig


class TrialConfig(AppConfig):
    name = "trial"
    verbose_name = "Trial design and randomisation"

    def ready(self) -> None:
        from common.services import register_message
        from trial.services import NOTICE, allocation_notice_sent, compose_allocation_notice

        register_message(NOTICE, compose_allocation_notice, after_send=allocation_notice_sent)
