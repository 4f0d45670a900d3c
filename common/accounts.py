"""The e-mails that let a person choose their password: an invitation and a reset link.

Rendered when the outbox sends them, so the row holds only the user's id and the link's token is
made from the account as it is then (a link sent before a password change no longer works).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from common.models import OutboxMessage, User
from common.outbox import Envelope


def password_link(user: User) -> str:
    """Return the address where a user chooses a new password (valid PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def _recipient(message: OutboxMessage) -> User | None:
    user = User.objects.filter(pk=message.context["user"], is_active=True).first()
    return user if user is not None and user.email else None


def _valid_for() -> str:
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def compose_invite(message: OutboxMessage) -> list[Envelope]:
    """The invitation: nothing once the person has chosen a password or left."""
    user = _recipient(message)
    if user is None or user.has_usable_password():
        return []
    body = (
        f"Dear {user.first_name or user.username},\n\n"
        "An account has been made for you on the trial manager. Your username is "
        f"{user.username}. Choose your password here (the link works once, for {_valid_for()}):\n\n"
        f"{password_link(user)}\n\n"
        "If you did not expect this e-mail, tell your trial manager and do not use the link.\n"
    )
    return [Envelope(to=[user.email], subject="Your trial manager account", body=body)]


def compose_reset(message: OutboxMessage) -> list[Envelope]:
    """A reset link, asked for by the person or by their trial manager."""
    user = _recipient(message)
    if user is None:
        return []
    body = (
        f"Dear {user.first_name or user.username},\n\n"
        f"A new password was asked for the account {user.username}. Choose it here (the link "
        f"works once, for {_valid_for()}):\n\n{password_link(user)}\n\n"
        "If you did not ask, ignore this e-mail: your password stays as it is.\n"
    )
    return [Envelope(to=[user.email], subject="Choose a new password", body=body)]
