"""Message kinds for the outbox's tests.

Imported by the test modules, and by a test's Celery worker through OUTBOX_TEST_KINDS (honoured
only under DJANGO_TESTING), so that both processes know the same kinds.
"""

from __future__ import annotations

from django.db import OperationalError

from common.models import OutboxMessage, PoliceArea
from common.services import Envelope, audit_record, recipient_emails, register_message

AREA_NOTICE = "tests.area_notice"  # an e-mail about a police area, to users by id or role
DESK_TEXT = "tests.desk_text"  # a text message to the duty desk
BROKEN = "tests.broken"  # its composer raises
STAMPED = "tests.stamped"  # its after_send writes an audit event
STAMP_FAILS = "tests.stamp_fails"  # its after_send raises
DATABASE_BUSY = "tests.database_busy"  # its composer meets a database error (a lock timeout)

DESK_NUMBER = "+447700900123"  # Ofcom's range for drama: nobody's phone


def compose_area_notice(message: OutboxMessage) -> list[Envelope]:
    area = PoliceArea.objects.filter(pk=message.context["area"]).first()
    if area is None:
        return []  # the area was removed before the e-mail went: nothing to say any more
    return [
        Envelope(
            to=recipient_emails(message.recipients),
            subject=f"Area notice: {area.name}",
            body=f"{area.name} ({area.force}) has a notice for you.",
            bcc=True,
        )
    ]


def compose_desk_text(message: OutboxMessage) -> list[Envelope]:
    # {"desk": 1} is this kind's own way of saying who: the composer knows the number.
    area = PoliceArea.objects.get(pk=message.context["area"])
    return [Envelope(channel="sms", to=DESK_NUMBER, body=f"Notice for {area.name}.")]


def compose_broken(message: OutboxMessage) -> list[Envelope]:
    raise ValueError("a composer bug naming nobody@example.org")


def compose_database_busy(message: OutboxMessage) -> list[Envelope]:
    raise OperationalError("canceling statement due to lock timeout")


def stamp(message: OutboxMessage) -> None:
    audit_record(actor=None, action="tests.after_send", obj=message)


def stamp_fails(message: OutboxMessage) -> None:
    raise RuntimeError("the stamp could not be written")


register_message(AREA_NOTICE, compose_area_notice)
register_message(DESK_TEXT, compose_desk_text)
register_message(BROKEN, compose_broken)
register_message(STAMPED, compose_area_notice, after_send=stamp)
register_message(STAMP_FAILS, compose_area_notice, after_send=stamp_fails)
register_message(DATABASE_BUSY, compose_database_busy)
