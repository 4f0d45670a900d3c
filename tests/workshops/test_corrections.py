"""Correcting recorded attendance: history kept, breaches opened or withdrawn, officers told."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import AuditEvent, OutboxMessage, User
from common.services import Outcome, outbox_send
from participants.models import Participant
from tests.support.threads import run_at_once
from trial.models import Trial
from workshops.models import (
    AttendanceCorrection,
    Booking,
    BookingStatus,
    Breach,
    BreachStatus,
    Cycle,
)
from workshops.selectors import compliance_for_trial, open_breaches_for_officer
from workshops.services import attendance_correct, attendance_record, booking_create, breach_decide

from .conftest import TODAY, at_local, part, queue_flags

Capture = DjangoCaptureOnCommitCallbacks


@pytest.fixture
def bookings(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
) -> tuple[Booking, Booking]:
    """Both parts of a cycle booked for one man; part 1 began yesterday."""
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=1))
    first, second = booking_create(
        participant=workshop_man(),
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    return first, second


def _record(booking: Booking, counsellor: User, attendance: str, **kwargs: object) -> Booking:
    return attendance_record(
        booking=booking,
        attendance=attendance,
        by=counsellor,
        at=booking.session.starts_at + datetime.timedelta(hours=6),
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_no_show_corrected_to_attended_withdraws_the_breach_and_tells_the_officer(
    bookings: tuple[Booking, Booking],
    counsellor: User,
    officer: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first, _ = bookings
    with django_capture_on_commit_callbacks(execute=True):
        _record(first, counsellor, "did_not_attend")
    breach = Breach.objects.get(booking=first)
    assert len(mail.outbox) == 1  # the breach e-mail

    with django_capture_on_commit_callbacks(execute=True):
        corrected = attendance_correct(
            booking=first, attendance="attended", why="Ticked the wrong man", by=counsellor
        )

    assert corrected.status == BookingStatus.ATTENDED
    breach.refresh_from_db()
    assert breach.status == BreachStatus.WITHDRAWN
    assert breach.withdrawn_at is not None
    assert list(open_breaches_for_officer(officer)) == []
    # Part 2 was freed when he was marked absent: he is back in the queue for it.
    assert first.participant_id in queue_flags(counsellor)
    withdrawal = mail.outbox[1]
    assert withdrawal.to == [officer.email]
    assert "withdrawn" in withdrawal.subject
    assert first.participant.pseudonym in withdrawal.body
    assert str(first.participant.family_name) not in withdrawal.body
    # The old record is kept beside the new one, and the change is audited without the reason.
    [history] = AttendanceCorrection.objects.filter(booking=first)
    assert (history.from_status, history.to_status) == (BookingStatus.MISSED, "attended")
    assert history.why == "Ticked the wrong man"
    event = AuditEvent.objects.get(action="booking.attendance_correct")
    assert event.detail["breach"] == "withdrawn"
    assert "Ticked" not in str(event.detail)
    # The officer cannot decide a withdrawn breach.
    with pytest.raises(ConflictError, match="withdrawn"):
        breach_decide(breach=breach, outcome="prosecution", note="", by=officer)
    # Running the e-mail job again sends nothing more.
    for message in OutboxMessage.objects.all():
        assert outbox_send(message_id=message.pk) == Outcome.NOT_CLAIMED
    assert len(mail.outbox) == 2


def test_attended_corrected_to_a_no_show_opens_a_breach_and_frees_part_2(
    bookings: tuple[Booking, Booking],
    counsellor: User,
    officer: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first, second = bookings
    _record(first, counsellor, "attended")
    with django_capture_on_commit_callbacks(execute=True):
        attendance_correct(
            booking=first,
            attendance="did_not_attend",
            reason="Said he was ill",
            why="Signed in for his brother",
            by=counsellor,
        )
    breach = Breach.objects.get(booking=first)
    assert breach.status == BreachStatus.OPEN
    assert list(open_breaches_for_officer(officer)) == [breach]
    assert [m.subject for m in mail.outbox] == [f"Workshop breach: {first.participant.pseudonym}"]
    second.refresh_from_db()
    assert second.status == BookingStatus.CANCELLED  # part 2 cannot follow a missed part 1


def test_a_correction_of_a_correction_reopens_the_withdrawn_breach(
    bookings: tuple[Booking, Booking],
    counsellor: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first, _ = bookings
    with django_capture_on_commit_callbacks(execute=True):
        _record(first, counsellor, "did_not_attend")
    with django_capture_on_commit_callbacks(execute=True):
        attendance_correct(booking=first, attendance="attended", why="Wrong row", by=counsellor)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_correct(
            booking=first, attendance="did_not_attend", why="It was the right row", by=counsellor
        )
    breach = Breach.objects.get(booking=first)
    assert (breach.status, breach.withdrawn_at) == (BreachStatus.OPEN, None)
    assert AttendanceCorrection.objects.filter(booking=first).count() == 2
    # Told of the breach, of its withdrawal, and of it again.
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Workshop breach",
        "Workshop breach withdrawn",
        "Workshop breach",
    ]


def test_a_decided_breach_is_not_withdrawn_by_a_correction(
    bookings: tuple[Booking, Booking], counsellor: User, officer: User
) -> None:
    first, _ = bookings
    _record(first, counsellor, "did_not_attend")
    breach = Breach.objects.get(booking=first)
    breach_decide(breach=breach, outcome="prosecution", note="CPS informed", by=officer)
    with pytest.raises(NotAllowedError, match="already decided the breach"):
        attendance_correct(booking=first, attendance="attended", why="Wrong row", by=counsellor)
    first.refresh_from_db()
    breach.refresh_from_db()
    assert (first.status, breach.status) == (BookingStatus.MISSED, BreachStatus.DECIDED)
    assert not AttendanceCorrection.objects.exists()
    # The reason given may still be corrected: the breach and its decision stand.
    attendance_correct(
        booking=first,
        attendance="did_not_attend",
        reason="Car broke down",
        why="Reason not written down at the time",
        by=counsellor,
    )
    first.refresh_from_db()
    assert (first.status, first.attendance_reason) == (BookingStatus.MISSED, "Car broke down")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attendance": "asleep", "why": "x"}, "Choose attended"),
        ({"attendance": "attended", "why": "  "}, "Say why"),
        ({"attendance": "left_early", "reason_accepted": True, "why": "x"}, "Give the reason"),
        ({"attendance": "did_not_attend", "why": "x"}, "already recorded that way"),
    ],
)
def test_a_refused_correction_says_why_and_changes_nothing(
    bookings: tuple[Booking, Booking], counsellor: User, kwargs: dict[str, object], message: str
) -> None:
    first, _ = bookings
    _record(first, counsellor, "did_not_attend")
    with pytest.raises(DomainError, match=message):
        attendance_correct(booking=first, by=counsellor, **kwargs)  # type: ignore[arg-type]
    first.refresh_from_db()
    assert first.status == BookingStatus.MISSED
    assert Breach.objects.get(booking=first).status == BreachStatus.OPEN
    assert not AttendanceCorrection.objects.exists()


def test_attendance_not_yet_recorded_cannot_be_corrected(
    bookings: tuple[Booking, Booking], counsellor: User
) -> None:
    first, _ = bookings
    with pytest.raises(ConflictError, match="nothing to correct"):
        attendance_correct(booking=first, attendance="attended", why="x", by=counsellor)


def test_the_register_corrects_in_the_mans_row(
    bookings: tuple[Booking, Booking], counsellor: User, client: Client
) -> None:
    first, _ = bookings
    _record(first, counsellor, "did_not_attend")
    client.force_login(counsellor)
    url = reverse("workshops:attendance_correct", args=[first.session_id, first.pk])
    register = reverse("workshops:session", args=[first.session_id])
    assert url in client.get(register).content.decode()

    refused = client.post(url, {"attendance": "attended"})
    assert refused.status_code == 400
    assert "Say why the recorded attendance was wrong." in refused.content.decode()

    done = client.post(url, {"attendance": "attended", "why": "Ticked the wrong man"})
    assert done.status_code == 302
    page = client.get(register).content.decode()
    assert "Breach withdrawn" in page
    assert 'data-testid="corrected"' in page
    first.refresh_from_db()
    assert first.status == BookingStatus.ATTENDED
    history = client.get(reverse("workshops:participant", args=[first.participant_id]))
    assert "Breach withdrawn" in history.content.decode()
    assert "awaiting officer" not in history.content.decode()


def test_correcting_only_the_reason_keeps_the_officers_rebook_flag(
    bookings: tuple[Booking, Booking],
    counsellor: User,
    officer: User,
    make_cycle: Callable[..., Cycle],
) -> None:
    first, _ = bookings
    make_cycle(TODAY + datetime.timedelta(days=7))  # Rebook needs a cycle he can still finish
    _record(first, counsellor, "did_not_attend")
    breach = Breach.objects.get(booking=first)
    breach_decide(breach=breach, outcome="rebooked", note="", by=officer)
    first.refresh_from_db()
    assert first.needs_rebooking
    attendance_correct(
        booking=first,
        attendance="did_not_attend",
        reason="Said his car broke down",
        why="Reason not written down at the time",
        by=counsellor,
    )
    first.refresh_from_db()
    assert first.needs_rebooking
    assert first.participant_id in queue_flags(counsellor)
    assert queue_flags(counsellor)[first.participant_id] is True


@pytest.mark.django_db(transaction=True)
def test_a_correction_and_the_officers_decision_at_once_end_in_one_of_them(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    officer: User,
) -> None:
    """Both lock the booking, then the breach: one waits for the other, neither deadlocks."""
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=1))
    make_cycle(TODAY + datetime.timedelta(days=7))  # Rebook needs a cycle he can still finish
    for _ in range(4):
        first, _ = booking_create(
            participant=workshop_man(),
            cycle=cycle,
            by=counsellor,
            at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
        )
        _record(first, counsellor, "did_not_attend")
        breach = Breach.objects.get(booking=first)
        results = run_at_once(
            [
                partial(
                    attendance_correct,
                    booking=first,
                    attendance="attended",
                    why="Wrong row",
                    by=counsellor,
                ),
                partial(breach_decide, breach=breach, outcome="rebooked", note="", by=officer),
            ]
        )
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1, results
        assert isinstance(refused[0], NotAllowedError | ConflictError), refused
        breach.refresh_from_db()
        assert breach.status in (BreachStatus.WITHDRAWN, BreachStatus.DECIDED)


def test_compliance_at_a_past_cut_ignores_later_records_and_corrections(
    bookings: tuple[Booking, Booking], counsellor: User, trial: Trial
) -> None:
    first, _ = bookings
    recorded = _record(first, counsellor, "attended")  # yesterday afternoon
    pseudonym = first.participant.pseudonym
    yesterday = TODAY - datetime.timedelta(days=1)
    assert recorded.attendance_recorded_at is not None
    assert timezone.localdate(recorded.attendance_recorded_at) == yesterday

    def compliance(as_of: datetime.date | None) -> int:
        return compliance_for_trial(trial, as_of=as_of)[pseudonym]

    assert (compliance(yesterday - datetime.timedelta(days=1)), compliance(yesterday)) == (0, 1)
    attendance_correct(
        booking=first, attendance="did_not_attend", why="Signed in for his brother", by=counsellor
    )  # today
    assert (compliance(yesterday), compliance(TODAY), compliance(None)) == (1, 0, 0)
    # A second correction later still: the cut sees the first one's "before".
    attendance_correct(
        booking=first,
        attendance="did_not_attend",
        reason="Car broke down",
        reason_accepted=True,
        why="The reason was accepted after all",
        by=counsellor,
        at=timezone.now() + datetime.timedelta(days=1),
    )
    assert (compliance(yesterday), compliance(TODAY)) == (1, 0)
