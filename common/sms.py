"""Sending text messages: a small interface, chosen by settings.SMS_BACKEND.

The default backend only logs (a masked number and the length), so nothing leaves the machine
until a provider's backend is written and configured. Tests use the in-memory backend.
The outbox (common/outbox.py) sends through here, and so do the workshop reminders until they
move onto the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None:
        """Send one message or raise."""


def mask(number: str) -> str:
    """Return the last three digits of a number, for logs."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"***{digits[-3:]}" if digits else "***"


class LoggingSmsBackend:
    """Log that a message would be sent; never the number or the text."""

    def send(self, *, to: str, body: str) -> None:
        logger.info("SMS to %s (%d characters) not sent: logging backend", mask(to), len(body))


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str


outbox: list[SentSms] = []


class MemorySmsBackend:
    """Keep messages in `common.sms.outbox` (tests)."""

    def send(self, *, to: str, body: str) -> None:
        outbox.append(SentSms(to=to, body=body))


def sms_backend() -> SmsBackend:
    """Return the configured backend."""
    path = getattr(settings, "SMS_BACKEND", "common.sms.LoggingSmsBackend")
    backend: SmsBackend = import_string(path)()
    return backend


def sms_send(*, to: str, body: str) -> None:
    """Send a text message through the configured backend."""
    sms_backend().send(to=to, body=body)
