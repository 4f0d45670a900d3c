"""Reminders before each session: sent once, however often the job runs."""

from __future__ import annotations

import datetime
import socket
from collections.abc import Callable, Iterator

import pytest
from django.core import mail
from django.test import override_settings
from pytest_django import DjangoCaptureOnCommitCallbacks

from common import sms
from common.models import OutboxMessage, User
from common.services import outbox_send_pending
from participants.models import Participant
from workshops.models import Cycle, Reminder
from workshops.services import booking_create, reminders_send_due, session_cancel
from workshops.tasks import reminders_send_due_task

from .conftest import TODAY, at_local, part


@pytest.fixture(autouse=True)
def sms_outbox() -> Iterator[list[sms.SentSms]]:
    sms.outbox.clear()
    with override_settings(SMS_BACKEND="common.sms.MemorySmsBackend"):
        yield sms.outbox


def test_the_reminder_job_run_twice_sends_each_reminder_once(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    sms_outbox: list[sms.SentSms],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    soon = make_cycle(TODAY + datetime.timedelta(days=2))  # reminder day has come (2 days)
    later = make_cycle(TODAY + datetime.timedelta(days=3))
    man = workshop_man()
    booking_create(participant=man, cycle=soon, by=counsellor)
    booking_create(participant=workshop_man(), cycle=later, by=counsellor)
    now = at_local(TODAY, 8)

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        assert reminders_send_due(now=now) == 3
        assert reminders_send_due(now=now) == 0
        reminders_send_due_task.delay()  # the beat job's task, eager in tests
    assert sorted(m.to[0] for m in mail.outbox) == sorted([str(man.email), counsellor.email])
    [text] = sms_outbox
    assert text.to == man.phone
    assert "10:00" in text.body
    assert "abuse" not in text.body.lower()  # someone else may read his phone
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 3
    lead_mail = next(m for m in mail.outbox if m.to == [counsellor.email])
    assert "1 of 8 places booked" in lead_mail.body
    assert str(man.family_name) not in lead_mail.body
    assert "@" not in str(list(OutboxMessage.objects.values_list("context", "recipients")))


def test_a_cancelled_session_is_not_reminded(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=1))
    booking_create(participant=workshop_man(), cycle=cycle, by=counsellor)
    session_cancel(session=part(cycle, 1), reason="Snow", by=counsellor)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_due(now=at_local(TODAY, 8)) == 0
    assert mail.outbox == []


def test_a_session_cancelled_after_its_reminders_were_queued_is_not_reminded(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=1))
    booking_create(participant=workshop_man(), cycle=cycle, by=counsellor)
    assert reminders_send_due(now=at_local(TODAY, 8)) == 3  # queued, not yet sent
    session_cancel(session=part(cycle, 1), reason="Snow", by=counsellor)
    outcomes = outbox_send_pending()
    assert len(outcomes["cancelled"]) == 3
    assert mail.outbox == []


class BrokenSms:
    def send(self, *, to: str, body: str) -> None:
        raise ConnectionError("gateway down")


def test_a_failed_send_is_retried_by_the_outbox_and_sent_once(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    sms_outbox: list[sms.SentSms],
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=1))
    booking_create(participant=workshop_man(), cycle=cycle, by=counsellor)
    assert reminders_send_due(now=at_local(TODAY, 8)) == 3
    with override_settings(SMS_BACKEND=f"{__name__}.BrokenSms"):
        outcomes = outbox_send_pending()
    assert (len(outcomes["sent"]), len(outcomes["retry"])) == (2, 1)  # the two e-mails
    assert reminders_send_due(now=at_local(TODAY, 9)) == 0  # claimed: the outbox has it
    [text] = OutboxMessage.objects.filter(channel="sms")
    assert outbox_send_pending(now=text.next_attempt_at) == {"sent": [text.pk]}
    assert len(sms_outbox) == 1
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 3


class RefusingSms:
    def send(self, *, to: str, body: str) -> None:
        raise ValueError(f"gateway refused {to}: {body}")


def test_a_failed_send_logs_neither_the_address_nor_the_number(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=1))
    man = workshop_man()
    booking_create(participant=man, cycle=cycle, by=counsellor)
    assert reminders_send_due(now=at_local(TODAY, 8)) == 3
    # A real SMTP client against a port nobody listens on, and a gateway that refuses.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    with override_settings(
        EMAIL_BACKEND=smtp,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port,
        SMS_BACKEND=f"{__name__}.RefusingSms",
    ):
        outcomes = outbox_send_pending()
    assert (len(outcomes["retry"]), len(outcomes["failed"])) == (2, 1)
    logged = caplog.text + "".join(str(r.exc_info) for r in caplog.records)
    assert "failed" in logged
    stored = str(list(OutboxMessage.objects.values_list("last_error", "context", "recipients")))
    for personal in (str(man.email), str(man.phone), counsellor.email, "900"):
        assert personal not in logged
        assert personal not in stored
