"""The outbox on the real database, sending to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.test import override_settings
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from common import sms
from common.models import AuditEvent, OutboxMessage, PoliceArea, User
from common.roles import Role
from common.services import Outcome, outbox_enqueue, outbox_send, outbox_send_pending
from tests.support import outbox_kinds as kinds
from tests.support.factories import PoliceAreaFactory, make_trial, make_user
from tests.support.smtp import REFUSED_DOMAIN, SmtpSink, free_port, smtp_server

Status = OutboxMessage.Status


def smtp_settings(settings: SettingsWrapper, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.OUTBOX_SEND_TIMEOUT = 5


@pytest.fixture
def smtp(settings: SettingsWrapper) -> Iterator[SmtpSink]:
    with smtp_server() as sink:
        smtp_settings(settings, sink.port)
        yield sink


@pytest.fixture
def area(db: None) -> PoliceArea:
    return PoliceAreaFactory.create(name="Southampton North")


def _notice(area: PoliceArea, *users: User, kind: str = kinds.AREA_NOTICE) -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(
            kind=kind, context={"area": area.pk}, recipients={"users": [u.pk for u in users]}
        )


def _actions(message: OutboxMessage) -> list[str]:
    events = AuditEvent.objects.filter(object_type="common.OutboxMessage", object_id=message.pk)
    return list(events.order_by("at", "id").values_list("action", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_message_goes_once_its_transaction_commits_and_never_if_it_rolls_back(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    researcher = make_user(Role.RESEARCHER)

    @transaction.atomic
    def failed_write() -> None:
        outbox_enqueue(
            kind=kinds.AREA_NOTICE, context={"area": area.pk}, recipients={"users": [researcher.pk]}
        )
        raise RuntimeError("the write it reports failed")

    with pytest.raises(RuntimeError):
        failed_write()
    assert not OutboxMessage.objects.exists()
    assert outbox_send_pending() == {}

    with transaction.atomic():
        message = outbox_enqueue(
            kind=kinds.AREA_NOTICE, context={"area": area.pk}, recipients={"users": [researcher.pk]}
        )
        assert smtp.accepted == []  # nothing leaves before the commit
    # Queued on commit (the eager task in tests; a worker in production).
    [delivery] = smtp.accepted
    assert delivery.message_id == message.message_id
    assert delivery.rcpt_tos == (researcher.email,)
    assert delivery.subject == "Area notice: Southampton North"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert message.sent_at is not None
    assert _actions(message) == ["outbox.enqueue", "outbox.sent"]
    # The sweep (or a second delivery of the task) does not send it again.
    assert outbox_send_pending() == {}
    assert outbox_send(message_id=message.pk) == Outcome.NOT_CLAIMED
    assert smtp.message_ids() == [message.message_id]


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(area: PoliceArea) -> None:
    with pytest.raises(TransactionManagementError, match="inside the transaction"):
        outbox_enqueue(kind=kinds.AREA_NOTICE, context={"area": area.pk}, recipients={"users": [1]})
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_composer_renders_the_message_when_it_is_sent(smtp: SmtpSink, area: PoliceArea) -> None:
    researcher = make_user(Role.RESEARCHER)
    message = _notice(area, researcher)
    area.name = "Southampton Central"  # renamed between the write and the send
    area.save()
    assert outbox_send(message_id=message.pk) == Outcome.SENT
    assert [d.subject for d in smtp.accepted] == ["Area notice: Southampton Central"]
    assert (
        smtp.accepted[0].body.strip()
        == "Southampton Central (Hampshire Constabulary) has a notice for you."
    )


@pytest.mark.django_db
def test_a_message_with_nothing_left_to_say_is_cancelled_and_not_sent(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    message = _notice(area, make_user(Role.RESEARCHER))
    area.delete()  # what the notice was about is gone before it went
    assert outbox_send(message_id=message.pk) == Outcome.CANCELLED
    message.refresh_from_db()
    assert (message.status, message.sent_at) == (Status.CANCELLED, None)
    assert smtp.accepted == []
    assert _actions(message) == ["outbox.enqueue", "outbox.cancelled"]


@pytest.mark.django_db
@pytest.mark.usefixtures("home_trial")
def test_recipients_are_resolved_at_send_time_by_role_to_active_users_in_blind_copy(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    first, second = make_user(Role.RESEARCHER), make_user(Role.RESEARCHER)
    leaver = make_user(Role.RESEARCHER)
    make_user(Role.OFFICER)
    with transaction.atomic():
        message = outbox_enqueue(
            kind=kinds.AREA_NOTICE, context={"area": area.pk}, recipients={"role": "Researcher"}
        )
    leaver.is_active = False  # left after the write, before the send
    leaver.save()
    outbox_send(message_id=message.pk)
    [delivery] = smtp.accepted
    assert sorted(delivery.rcpt_tos) == sorted([first.email, second.email])
    assert delivery.to_header == ""  # blind copies: nobody sees the others' addresses


@pytest.mark.django_db
def test_a_role_in_one_trial_reaches_only_that_trials_people(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    hants, wmp = make_trial("CARA-HANTS"), make_trial("CARA-WMP")
    ours = make_user(Role.RESEARCHER, trial=hants)
    make_user(Role.RESEARCHER, trial=wmp)
    with transaction.atomic():
        message = outbox_enqueue(
            kind=kinds.AREA_NOTICE,
            context={"area": area.pk},
            recipients={"role": "Researcher", "trial": hants.pk},
        )
    outbox_send(message_id=message.pk)
    [delivery] = smtp.accepted
    assert list(delivery.rcpt_tos) == [ours.email]


@pytest.mark.django_db
def test_a_transient_failure_backs_off_and_the_sweep_sends_it_later_while_others_go(
    settings: SettingsWrapper, area: PoliceArea
) -> None:
    smtp_settings(settings, free_port())  # nothing listens: connection refused
    settings.SMS_BACKEND = "common.sms.MemorySmsBackend"
    sms.outbox.clear()
    email = _notice(area, make_user(Role.RESEARCHER))
    with transaction.atomic():
        text = outbox_enqueue(
            kind=kinds.DESK_TEXT, channel="sms", context={"area": area.pk}, recipients={"desk": 1}
        )
    start = timezone.now()
    assert outbox_send_pending(now=start) == {"retry": [email.pk], "sent": [text.pk]}
    assert [m.to for m in sms.outbox] == [kinds.DESK_NUMBER]  # the text went despite the e-mail
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert email.last_error == "ConnectionRefusedError: errno 111"
    assert email.next_attempt_at == start + datetime.timedelta(seconds=60)

    # Not due yet: the next minute's sweep leaves it; the one after tries and doubles the wait.
    assert outbox_send_pending(now=start + datetime.timedelta(seconds=30)) == {}
    later = start + datetime.timedelta(seconds=61)
    assert outbox_send_pending(now=later) == {"retry": [email.pk]}
    email.refresh_from_db()
    assert email.next_attempt_at == later + datetime.timedelta(seconds=120)

    with smtp_server() as sink:  # the server is back
        smtp_settings(settings, sink.port)
        last = later + datetime.timedelta(seconds=121)
        assert outbox_send_pending(now=last) == {"sent": [email.pk]}
    assert sink.message_ids() == [email.message_id]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 3, "")


@pytest.mark.django_db
def test_after_the_last_allowed_attempt_a_transient_failure_marks_it_failed(
    settings: SettingsWrapper, area: PoliceArea
) -> None:
    smtp_settings(settings, free_port())
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = _notice(area, make_user(Role.RESEARCHER))
    start = timezone.now()
    assert outbox_send(message_id=message.pk, now=start) == Outcome.RETRY
    later = start + datetime.timedelta(minutes=2)
    assert outbox_send(message_id=message.pk, now=later) == Outcome.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert _actions(message) == ["outbox.enqueue", "outbox.failed"]
    assert outbox_send_pending(now=later + datetime.timedelta(hours=2)) == {}


@pytest.mark.django_db
def test_a_refused_recipient_fails_at_once_and_no_address_reaches_the_row_or_the_log(
    smtp: SmtpSink, area: PoliceArea, caplog: pytest.LogCaptureFixture
) -> None:
    refused = make_user(Role.RESEARCHER, email=f"gone@{REFUSED_DOMAIN}")
    message = _notice(area, refused)
    with caplog.at_level(logging.INFO):
        assert outbox_send(message_id=message.pk) == Outcome.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "SMTPRecipientsRefused: 1 refused (550)"
    assert smtp.accepted == []
    failed = AuditEvent.objects.get(action="outbox.failed")
    assert failed.detail["error"] == message.last_error
    assert refused.email not in caplog.text
    assert REFUSED_DOMAIN not in str(AuditEvent.objects.values_list("detail", flat=True))


@pytest.mark.django_db
def test_a_database_error_while_composing_is_tried_again_not_failed(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    message = _notice(area, make_user(Role.RESEARCHER), kind=kinds.DATABASE_BUSY)
    start = timezone.now()
    assert outbox_send(message_id=message.pk, now=start) == Outcome.RETRY
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.last_error == "OperationalError"
    assert message.next_attempt_at == start + datetime.timedelta(seconds=60)
    assert smtp.accepted == []


@pytest.mark.django_db
def test_a_claimed_message_is_left_alone_until_its_lease_ends(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    message = _notice(area, make_user(Role.RESEARCHER))
    start = timezone.now()
    # A sender claimed it and died before marking it (its claim is committed, nothing sent).
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=1, next_attempt_at=start + datetime.timedelta(seconds=300)
    )
    assert outbox_send_pending(now=start + datetime.timedelta(seconds=299)) == {}
    assert outbox_send_pending(now=start + datetime.timedelta(seconds=300)) == {
        "sent": [message.pk]
    }
    assert smtp.message_ids() == [message.message_id]


@pytest.mark.django_db
def test_a_composer_that_raises_fails_the_message_at_once(
    smtp: SmtpSink, area: PoliceArea, caplog: pytest.LogCaptureFixture
) -> None:
    message = _notice(area, make_user(Role.RESEARCHER), kind=kinds.BROKEN)
    assert outbox_send(message_id=message.pk) == Outcome.FAILED
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, "composer: ValueError")
    assert "nobody@example.org" not in caplog.text  # the exception's text is never logged
    assert smtp.accepted == []


@pytest.mark.django_db
def test_after_send_runs_with_the_sent_mark_and_its_failure_does_not_send_twice(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    user = make_user(Role.RESEARCHER)
    stamped, unstamped = (
        _notice(area, user, kind=kinds.STAMPED),
        _notice(area, user, kind=kinds.STAMP_FAILS),
    )
    assert outbox_send_pending() == {"sent": [stamped.pk, unstamped.pk]}
    assert "tests.after_send" in _actions(stamped)
    unstamped.refresh_from_db()
    assert (unstamped.status, unstamped.last_error) == (Status.SENT, "after_send: RuntimeError")
    assert outbox_send_pending() == {}
    assert sorted(smtp.message_ids()) == sorted([stamped.message_id, unstamped.message_id])


@pytest.mark.django_db
def test_the_row_and_its_audit_hold_ids_only_and_personal_data_is_refused(
    smtp: SmtpSink, area: PoliceArea
) -> None:
    researcher = make_user(Role.RESEARCHER, first_name="Rita", last_name="Researcher")
    message = _notice(area, researcher)
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.context, message.recipients) == ({"area": area.pk}, {"users": [researcher.pk]})
    stored = " ".join(
        str(v) for v in OutboxMessage.objects.filter(pk=message.pk).values().get().values()
    )
    stored += str(list(AuditEvent.objects.values_list("detail", flat=True)))
    for personal in (researcher.email, "Rita", "Researcher@", area.name):
        assert personal not in stored
    assert message.message_id.startswith("<outbox-")
    assert message.message_id.endswith("@127.0.0.1>")  # the host of SITE_URL

    refusals: list[tuple[dict[str, Any], dict[str, Any], type[Exception]]] = [
        ({"email": "rita@example.org"}, {"users": [researcher.pk]}, ValueError),
        ({"name": "Rita Researcher"}, {"users": [researcher.pk]}, ValueError),
        ({"area": area.pk}, {"to": "rita@example.org"}, ValueError),
        ({"area": area.pk}, {"users": []}, ValueError),
        ({"area": area.pk}, {"role": "Everyone"}, ValueError),
        ({"area": area.pk}, {}, ValueError),
    ]
    for context, recipients, error in refusals:
        with pytest.raises(error), transaction.atomic():
            outbox_enqueue(kind=kinds.AREA_NOTICE, context=context, recipients=recipients)
    with pytest.raises(LookupError, match="not registered"), transaction.atomic():
        outbox_enqueue(kind="tests.unknown", context={}, recipients={"users": [1]})
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_text_message_goes_through_the_sms_backend_and_the_log_masks_the_number(
    area: PoliceArea, caplog: pytest.LogCaptureFixture
) -> None:
    with transaction.atomic():
        message = outbox_enqueue(
            kind=kinds.DESK_TEXT, channel="sms", context={"area": area.pk}, recipients={"desk": 1}
        )
    sms.outbox.clear()
    with override_settings(SMS_BACKEND="common.sms.MemorySmsBackend"):
        assert outbox_send(message_id=message.pk) == Outcome.SENT
    assert [(m.to, m.body) for m in sms.outbox] == [
        (kinds.DESK_NUMBER, "Notice for Southampton North.")
    ]
    with transaction.atomic():
        logged = outbox_enqueue(
            kind=kinds.DESK_TEXT, channel="sms", context={"area": area.pk}, recipients={"desk": 1}
        )
    with caplog.at_level(logging.INFO):
        assert outbox_send(message_id=logged.pk) == Outcome.SENT  # the default: logs only
    assert "***123" in caplog.text
    assert kinds.DESK_NUMBER not in caplog.text
