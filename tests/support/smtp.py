"""A real SMTP server on 127.0.0.1 for tests: it keeps what it accepted and can stall a delivery.

It runs aiosmtpd in a thread of the test process, so a Celery worker process started by a test
can send to it (EMAIL_URL=smtp://127.0.0.1:PORT) and the test can kill the worker mid-send.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

REFUSED_DOMAIN = "refused.example"  # RCPT TO an address here gets 550 (a permanent refusal)


@dataclass(frozen=True)
class Delivery:
    message_id: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str
    to_header: str
    body: str


@dataclass
class Stall:
    """The next DATA waits, holding its reply, until released; then dropped (or accepted)."""

    accept: bool = False  # answer 250 once released, instead of dropping the delivery
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    dropped: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


class SmtpSink:
    """The handler: accepts mail (after `delay` seconds), refuses REFUSED_DOMAIN, stalls once."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.accepted: list[Delivery] = []
        self.dropped: list[Delivery] = []
        self.delay = 0.0
        self._stall: Stall | None = None
        self._lock = threading.Lock()

    def stall_next(self, *, accept: bool = False) -> Stall:
        """Make the next delivery stall in DATA; return the handle the test waits on."""
        stall = Stall(accept=accept)
        with self._lock:
            self._stall = stall
        return stall

    def message_ids(self) -> list[str]:
        """Return the Message-ID of every message answered 250, in order."""
        with self._lock:
            return [d.message_id for d in self.accepted]

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = parsed.get_body() if parsed.is_multipart() else parsed
        delivery = Delivery(
            message_id=str(parsed["Message-ID"] or ""),
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            subject=str(parsed["Subject"] or ""),
            to_header=str(parsed["To"] or ""),
            body=body.get_content() if body is not None else "",
        )
        with self._lock:
            stall, self._stall = self._stall, None
        if stall is not None:
            stall.reached.set()
            try:
                while not stall.released.is_set():
                    await asyncio.sleep(0.05)
            except BaseException:  # the client died and took this handler with it
                stall.accept = False
                raise
            finally:
                if not stall.accept:
                    with self._lock:
                        self.dropped.append(delivery)
                    stall.dropped.set()
            if not stall.accept:
                return "451 4.3.0 Dropped by the test"
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.accepted.append(delivery)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (connecting to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def smtp_server() -> Iterator[SmtpSink]:
    """Run the SMTP server on 127.0.0.1 until the block ends."""
    sink = SmtpSink(free_port())
    # The server's own log is the remote side's (it names every address): keep it out of tests.
    server_log = logging.getLogger("mail.log")
    level, server_log.level = server_log.level, logging.WARNING
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port, ready_timeout=10)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
        server_log.setLevel(level)
