from django.apps import AppConfig
from django.core.checks import Tags, register


class SigninConfig(AppConfig):
    default = True
    name = "signin"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from signin.selectors import email_is_sent, second_factor_required

        register(email_is_sent, Tags.security, deploy=True)
        register(second_factor_required, Tags.security, deploy=True)
