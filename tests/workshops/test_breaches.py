"""From a no-show to the officer's decision: the breach, the e-mail after commit, who sees it."""

from __future__ import annotations

import datetime
import re
import socket
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from common.exceptions import ConflictError, NotAllowedError
from common.models import OutboxMessage, User
from common.services import Outcome, outbox_send
from participants.models import Participant
from workshops.models import Booking, BookingStatus, Breach, BreachStatus, Cycle
from workshops.selectors import compliance_for_trial, open_breaches_for_officer, scheduling_queue
from workshops.services import attendance_record, booking_create, breach_decide

from .conftest import TODAY, part, queue_flags

Man = Callable[..., Participant]
WEEK = datetime.timedelta(days=7)


def no_show(booking: Booking, counsellor: User, **kwargs: object) -> Booking:
    return attendance_record(
        booking=booking,
        attendance=kwargs.pop("attendance", "did_not_attend"),  # type: ignore[arg-type]
        by=counsellor,
        at=booking.session.starts_at + datetime.timedelta(hours=6),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def booked(
    make_cycle: Callable[..., Cycle], workshop_man: Man, counsellor: User
) -> tuple[Participant, Cycle]:
    man = workshop_man()
    cycle = make_cycle(TODAY + WEEK)
    booking_create(participant=man, cycle=cycle, by=counsellor)
    return man, cycle


@pytest.mark.smoke
def test_a_no_show_opens_a_breach_the_area_officer_is_emailed_and_decides(
    booked: tuple[Participant, Cycle],
    counsellor: User,
    officer: User,
    other_officer: User,
    client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    man, _ = booked
    booking = Booking.objects.get(participant=man, part=1)
    with django_capture_on_commit_callbacks(execute=True):
        no_show(booking, counsellor, reason="Said he forgot")
    breach = Breach.objects.get(participant=man)
    # His part-2 place goes back to the pool: part 2 cannot follow a missed part 1.
    assert Booking.objects.get(participant=man, part=2).status == BookingStatus.CANCELLED

    [email] = mail.outbox
    assert email.to == [officer.email]
    assert man.pseudonym in str(email.subject)
    assert str(man.family_name) not in email.body  # trial ID only outside the application
    # An absolute link on the site's address: a relative one means nothing in a mail client.
    assert f"{settings.SITE_URL}{reverse('breaches:detail', args=[breach.pk])}\n" in email.body

    client.force_login(officer)
    page = client.get(reverse("breaches:list"))
    assert man.pseudonym in page.content.decode()
    dashboard = client.get(reverse("participants:dashboard")).content.decode()
    assert re.search(r'data-bucket="breach">\s*Breach to act on <span[^>]*>1</span>', dashboard)
    assert list(open_breaches_for_officer(officer)) == [breach]
    response = client.post(
        reverse("breaches:detail", args=[breach.pk]),
        {"outcome": "prosecution", "note": "CPS informed", "confirmed": "yes"},
    )
    assert response.status_code == 302
    breach.refresh_from_db()
    assert (breach.status, breach.outcome, breach.decided_by) == (
        BreachStatus.DECIDED,
        "prosecution",
        officer,
    )
    # Prosecuted: he leaves the scheduling queue for good, and counts no workshop.
    assert not scheduling_queue(user=counsellor).filter(pk=man.pk).exists()
    assert compliance_for_trial(man.trial)[man.pseudonym] == 0


def test_officers_of_another_area_neither_see_nor_decide_the_breach(
    booked: tuple[Participant, Cycle], counsellor: User, other_officer: User, client: Client
) -> None:
    man, _ = booked
    no_show(Booking.objects.get(participant=man, part=1), counsellor)
    breach = Breach.objects.get(participant=man)
    client.force_login(other_officer)
    assert man.pseudonym not in client.get(reverse("breaches:list")).content.decode()
    assert client.get(reverse("breaches:detail", args=[breach.pk])).status_code == 404
    assert not open_breaches_for_officer(other_officer).exists()
    with pytest.raises(NotAllowedError):
        breach_decide(breach=breach, outcome="no_further_action", note="", by=other_officer)


def test_rebooked_after_a_breach_he_is_back_in_the_queue_and_the_decision_is_final(
    booked: tuple[Participant, Cycle], counsellor: User, officer: User
) -> None:
    man, _ = booked
    no_show(Booking.objects.get(participant=man, part=1), counsellor)
    breach = Breach.objects.get(participant=man)
    assert not scheduling_queue(user=counsellor).filter(pk=man.pk).exists()  # officer first
    breach_decide(breach=breach, outcome="rebooked", note="One more chance", by=officer)
    assert queue_flags(counsellor)[man.pk]
    with pytest.raises(ConflictError, match="already decided"):
        breach_decide(breach=breach, outcome="prosecution", note="", by=officer)


def test_the_breach_email_goes_once_even_if_the_task_runs_twice(
    booked: tuple[Participant, Cycle], counsellor: User, officer: User
) -> None:
    man, _ = booked
    no_show(Booking.objects.get(participant=man, part=1), counsellor)
    breach = Breach.objects.get(participant=man)
    message = OutboxMessage.objects.get(kind="workshops.breach_notice")
    assert message.context == {"breach": breach.pk}  # ids only: no name, no address
    assert outbox_send(message_id=message.pk) == Outcome.SENT
    assert outbox_send(message_id=message.pk) == Outcome.NOT_CLAIMED
    assert len(mail.outbox) == 1


def test_the_reason_for_a_miss_and_the_officers_note_are_not_in_the_raw_columns(
    booked: tuple[Participant, Cycle], counsellor: User, officer: User
) -> None:
    man, _ = booked
    missed = no_show(
        Booking.objects.get(participant=man, part=1), counsellor, reason="His son was in A&E"
    )
    breach = breach_decide(
        breach=Breach.objects.get(participant=man),
        outcome="no_further_action",
        note="Spoke to Mrs Jones, the hospital confirmed",
        by=officer,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT attendance_reason FROM workshops_booking WHERE id = %s", [missed.pk])
        [(raw_reason,)] = cursor.fetchall()
        cursor.execute("SELECT outcome_note FROM workshops_breach WHERE id = %s", [breach.pk])
        [(raw_note,)] = cursor.fetchall()
    assert "A&E" not in raw_reason
    assert "Jones" not in raw_note
    missed.refresh_from_db()
    breach.refresh_from_db()
    assert missed.attendance_reason == "His son was in A&E"
    assert breach.outcome_note == "Spoke to Mrs Jones, the hospital confirmed"


def test_the_breach_email_is_retried_when_the_mail_server_is_away(
    booked: tuple[Participant, Cycle],
    counsellor: User,
    officer: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    man, _ = booked
    with django_capture_on_commit_callbacks(execute=False):
        no_show(Booking.objects.get(participant=man, part=1), counsellor)
    message = OutboxMessage.objects.get(kind="workshops.breach_notice")
    # A real SMTP client against a port nobody listens on: the mail server is away.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    with override_settings(EMAIL_BACKEND=smtp, EMAIL_HOST="127.0.0.1", EMAIL_PORT=closed_port):
        assert outbox_send(message_id=message.pk) == Outcome.RETRY
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert Breach.objects.get(participant=man).notified_at is None
    # The sweep's next try, once the backoff has passed and the server is back.
    assert outbox_send(message_id=message.pk, now=message.next_attempt_at) == Outcome.SENT
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert Breach.objects.get(participant=man).notified_at is not None


@pytest.mark.parametrize(
    ("attendance", "accepted", "status", "breach", "counts"),
    [
        ("attended", False, BookingStatus.ATTENDED, False, 1),
        ("left_early", True, BookingStatus.ATTENDED, False, 1),
        ("left_early", False, BookingStatus.MISSED, True, 0),
        ("did_not_attend", True, BookingStatus.EXCUSED, False, 0),
        ("did_not_attend", False, BookingStatus.MISSED, True, 0),
    ],
)
def test_what_counts_as_attended_and_what_opens_a_breach(
    booked: tuple[Participant, Cycle],
    counsellor: User,
    attendance: str,
    accepted: bool,
    status: str,
    breach: bool,
    counts: int,
) -> None:
    man, _ = booked
    recorded = no_show(
        Booking.objects.get(participant=man, part=1),
        counsellor,
        attendance=attendance,
        reason="Child taken ill" if accepted else "",
        reason_accepted=accepted,
    )
    assert recorded.status == status
    assert Breach.objects.filter(participant=man).exists() is breach
    assert compliance_for_trial(man.trial)[man.pseudonym] == counts


def test_attendance_waits_for_the_session_and_is_recorded_once(
    booked: tuple[Participant, Cycle], counsellor: User
) -> None:
    man, _ = booked
    booking = Booking.objects.get(participant=man, part=1)
    with pytest.raises(NotAllowedError, match="record attendance once it has started"):
        attendance_record(booking=booking, attendance="attended", by=counsellor)
    no_show(booking, counsellor, attendance="attended")
    with pytest.raises(ConflictError, match="already attended"):
        no_show(booking, counsellor, attendance="did_not_attend")


def test_compliance_counts_both_one_or_none_for_the_workshop_arm_only(
    make_cycle: Callable[..., Cycle],
    workshop_man: Man,
    control_man: Participant,
    counsellor: User,
) -> None:
    cycle = make_cycle(TODAY + WEEK)
    both, one, none = workshop_man(), workshop_man(), workshop_man()
    for man in (both, one, none):
        booking_create(participant=man, cycle=cycle, by=counsellor)
    for man, first, second in ((both, "attended", "attended"), (one, "attended", "did_not_attend")):
        no_show(Booking.objects.get(participant=man, part=1), counsellor, attendance=first)
        no_show(Booking.objects.get(participant=man, part=2), counsellor, attendance=second)
    assert part(cycle, 2).bookings.count() == 3
    compliance = compliance_for_trial(cycle.trial)
    assert compliance[both.pseudonym] == 2
    assert compliance[one.pseudonym] == 1
    assert compliance[none.pseudonym] == 0
    assert control_man.pseudonym not in compliance
