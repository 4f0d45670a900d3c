"""Reminders before each session: sent once, however often the job runs."""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Callable, Iterator

import pytest
from django.core import mail
from django.test import override_settings

from common import sms
from common.models import User
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
) -> None:
    soon = make_cycle(TODAY + datetime.timedelta(days=2))  # reminder day has come (2 days)
    later = make_cycle(TODAY + datetime.timedelta(days=3))
    man = workshop_man()
    booking_create(participant=man, cycle=soon, by=counsellor)
    booking_create(participant=workshop_man(), cycle=later, by=counsellor)
    now = at_local(TODAY, 8)

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


def test_a_cancelled_session_is_not_reminded(
    make_cycle: Callable[..., Cycle], workshop_man: Callable[..., Participant], counsellor: User
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=1))
    booking_create(participant=workshop_man(), cycle=cycle, by=counsellor)
    session_cancel(session=part(cycle, 1), reason="Snow", by=counsellor)
    assert reminders_send_due(now=at_local(TODAY, 8)) == 0
    assert mail.outbox == []


class BrokenSms:
    def send(self, *, to: str, body: str) -> None:
        raise ConnectionError("gateway down")


def test_a_failed_send_releases_its_claim_and_the_next_run_sends_it(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    sms_outbox: list[sms.SentSms],
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=1))
    booking_create(participant=workshop_man(), cycle=cycle, by=counsellor)
    with override_settings(SMS_BACKEND=f"{__name__}.BrokenSms"):
        assert reminders_send_due(now=at_local(TODAY, 8)) == 2  # the two e-mails
    assert reminders_send_due(now=at_local(TODAY, 9)) == 1  # the text, on the next run
    assert len(sms_outbox) == 1


class RefusingSms:
    def send(self, *, to: str, body: str) -> None:
        raise ValueError(f"gateway refused {to}: {body}")


def test_a_failed_send_logs_neither_the_address_nor_the_number(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=1))
    man = workshop_man()
    booking_create(participant=man, cycle=cycle, by=counsellor)

    def refuse(subject: str, message: str, sender: None, to: list[str]) -> int:
        raise smtplib.SMTPRecipientsRefused({to[0]: (550, b"mailbox unavailable")})

    monkeypatch.setattr("workshops.services.reminders.send_mail", refuse)
    with override_settings(SMS_BACKEND=f"{__name__}.RefusingSms"):
        assert reminders_send_due(now=at_local(TODAY, 8)) == 0
    logged = caplog.text + "".join(str(r.exc_info) for r in caplog.records)
    assert "could not be sent" in logged
    for personal in (str(man.email), str(man.phone), counsellor.email, "900"):
        assert personal not in logged
