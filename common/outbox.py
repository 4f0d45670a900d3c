"""The outbox's kinds of message and its sender (the writes are in common/services/outbox.py).

An app registers a composer for each kind it sends, in its AppConfig.ready():

    register_message("workshops.breach_notice", compose_breach_notice, after_send=stamp)

The composer renders the message at send time from the ids in the row's context and returns the
envelopes to send, or [] when there is nothing to send any more. See docs/outbox.md.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.db import InterfaceError, OperationalError

from common.models import Membership, OutboxMessage, User
from common.roles import Role
from common.sms import sms_send

logger = logging.getLogger(__name__)

Channel = OutboxMessage.Channel


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """One e-mail (to a list of addresses) or one text message (to one number)."""

    channel: str = Channel.EMAIL
    to: Sequence[str] | str
    subject: str = ""
    body: str
    bcc: bool = False  # e-mail: recipients of different organisations need not see each other

    def addresses(self) -> list[str]:
        """Return the non-empty addresses (or the number) this envelope goes to."""
        found = [self.to] if isinstance(self.to, str) else list(self.to)
        return [a for a in dict.fromkeys(found) if a]


Composer = Callable[[OutboxMessage], list[Envelope]]
AfterSend = Callable[[OutboxMessage], None]


@dataclass(frozen=True)
class MessageKind:
    name: str
    compose: Composer
    after_send: AfterSend | None = None


_kinds: dict[str, MessageKind] = {}


def register_message(kind: str, compose: Composer, after_send: AfterSend | None = None) -> None:
    """Register the composer (and the after-send hook) of a kind of message."""
    new = MessageKind(kind, compose, after_send)
    existing = _kinds.get(kind)
    # ready() and test modules may run twice; two different composers for one kind is a bug.
    if existing is not None and existing != new:
        raise ImproperlyConfigured(f"Outbox kind {kind!r} is already registered elsewhere.")
    _kinds[kind] = new


def message_kind(kind: str) -> MessageKind:
    """Return a registered kind or raise LookupError."""
    try:
        return _kinds[kind]
    except KeyError:
        raise LookupError(f"Outbox kind {kind!r} is not registered.") from None


def registered_kinds() -> list[str]:
    """Return the names of the registered kinds."""
    return sorted(_kinds)


# Recipients, resolved at send time so that a user who left or changed address gets nothing.


def user_emails(user_ids: Iterable[int]) -> list[str]:
    """Return the e-mail addresses of those of these users who are active."""
    return list(
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def role_emails(role: str, trial_id: int | None = None) -> list[str]:
    """Return the e-mail addresses of the active users holding a role (in a trial, if named)."""
    held = Membership.objects.filter(role=Role(role).value)
    if trial_id is not None:
        held = held.filter(trial_id=trial_id)
    return list(
        User.objects.filter(pk__in=held.values("user_id"), is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def recipient_emails(recipients: Mapping[str, object]) -> list[str]:
    """Return the addresses of {"users": [ids]} and {"role": name, "trial": id}.

    Other keys are the kind's own (composers read them).
    """
    found: list[str] = []
    users = recipients.get("users")
    if isinstance(users, list):
        found += user_emails(int(pk) for pk in users)
    role = recipients.get("role")
    if isinstance(role, str):
        trial = recipients.get("trial")
        found += role_emails(role, trial if isinstance(trial, int) else None)
    return list(dict.fromkeys(found))


# Sending. Which errors are worth another try decides between "retry later" and "failed now".


class PermanentError(Exception):
    """Sending this message cannot succeed by trying again."""


def envelope_message_id(message: OutboxMessage, index: int) -> str:
    """Return the stable Message-ID of a message's n-th envelope (the first has the row's)."""
    if index == 0:
        return message.message_id
    local, _, host = message.message_id.strip("<>").partition("@")
    return f"<{local}.{index}@{host}>"


def send_envelope(message: OutboxMessage, index: int, envelope: Envelope) -> bool:
    """Send one envelope of a message or raise; say whether it went to anybody."""
    if envelope.channel != message.channel:
        raise PermanentError(f"the composer returned {envelope.channel} for {message.channel}")
    to = envelope.addresses()
    if not to:
        return False  # nobody to tell on this one (every recipient has left, say)
    if envelope.channel == Channel.SMS:
        if len(to) != 1:
            raise PermanentError("an SMS envelope goes to one number")
        sms_send(to=to[0], body=envelope.body)
        return True
    EmailMessage(
        subject=envelope.subject,
        body=envelope.body,
        to=[] if envelope.bcc else to,
        bcc=to if envelope.bcc else [],
        headers={"Message-ID": envelope_message_id(message, index)},
        connection=get_connection(timeout=settings.OUTBOX_SEND_TIMEOUT),
    ).send()
    return True


def is_transient(exc: BaseException) -> bool:
    """Say whether an error may go away by itself (a server down or busy), so worth a retry."""
    # smtplib's errors are OSErrors: the permanent ones are sorted out before the network's.
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True  # the database dropped the connection, restarted or was busy
    if isinstance(exc, smtplib.SMTPRecipientsRefused | PermanentError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500  # 4xx: try again later (greylisting, a full queue)
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)  # ConnectionError, TimeoutError, socket errors


def safe_error(exc: BaseException) -> str:
    """Describe an error without its text: SMTP replies and exceptions can carry addresses."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in exc.recipients.values()})
        return f"{name}: {len(exc.recipients)} refused ({', '.join(codes)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name}: SMTP {exc.smtp_code}"
    if isinstance(exc, PermanentError):
        return f"{name}: {exc}"  # our own words, no data
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{name}: errno {exc.errno}"
    return name
