"""Cycles and bookings: the scheduling rules at their edges, and history kept on rebooking."""

from __future__ import annotations

import datetime
import itertools
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.exceptions import ConflictError, DomainError
from common.models import User
from participants.models import Participant
from trial.models import Trial
from workshops.models import Booking, BookingStatus, Cycle
from workshops.rules import parts_needed
from workshops.selectors import scheduling_queue
from workshops.services import (
    CyclePlan,
    attendance_record,
    booking_create,
    booking_propose,
    cycle_run_create,
    session_cancel,
)

from .conftest import TODAY, at_local, part, queue_flags

Man = Callable[..., Participant]
MakeCycle = Callable[..., Cycle]
WEEK = datetime.timedelta(days=7)


def test_a_cycle_is_two_five_hour_sessions_28_days_apart_at_the_same_local_time(
    make_cycle: MakeCycle,
) -> None:
    # Across the clock change at the end of March/October the wall-clock time stays 10:00.
    cycle = make_cycle(datetime.date(TODAY.year + 1, 3, 10))
    one, two = part(cycle, 1), part(cycle, 2)
    assert (
        timezone.localtime(two.starts_at).date() - timezone.localtime(one.starts_at).date()
    ).days == 28
    assert timezone.localtime(one.starts_at).hour == timezone.localtime(two.starts_at).hour == 10
    assert two.ends_at - two.starts_at == datetime.timedelta(hours=5)
    assert one.capacity == two.capacity == 8


@pytest.mark.parametrize(("gap", "allowed"), [(20, False), (21, True), (35, True), (36, False)])
def test_the_gap_between_the_parts_must_lie_in_the_trial_window(
    make_cycle: MakeCycle, gap: int, allowed: bool
) -> None:
    if allowed:
        cycle = make_cycle(gap_days=gap)
        assert (part(cycle, 2).starts_at - part(cycle, 1).starts_at).days == gap
    else:
        with pytest.raises(DomainError, match="21 to 35 days after part 1"):
            make_cycle(gap_days=gap)
        assert not Cycle.objects.exists()


def test_a_run_of_cycles_starts_every_35_days(trial: Trial, counsellor: User) -> None:
    plan = CyclePlan(part_1_starts_at=at_local(TODAY + WEEK), venue="Fareham", leads=[counsellor])
    cycles = cycle_run_create(trial=trial, plan=plan, count=4, by=counsellor)
    starts = [timezone.localtime(part(c, 1).starts_at) for c in cycles]
    assert [c.number for c in cycles] == [1, 2, 3, 4]
    # Local days and the same local hour: a run across the clocks changing (late March, late
    # October) is 35 days apart on the calendar though an hour more or less in UTC.
    assert {(b.date() - a.date()).days for a, b in itertools.pairwise(starts)} == {35}
    assert {s.time() for s in starts} == {starts[0].time()}


def test_the_same_cycle_submitted_twice_is_created_once(
    trial: Trial, counsellor: User, client: Client
) -> None:
    starts = at_local(TODAY + WEEK)
    data = {
        "trial": trial.pk,
        "part_1_starts_at": f"{starts:%Y-%m-%dT%H:%M}",
        "venue": "Hampton Trust, Fareham",
        "leads": [counsellor.pk],
        "count": 1,
    }
    client.force_login(counsellor)
    first = client.post(reverse("workshops:cycle_new"), data)
    assert first.status_code == 302
    again = client.post(reverse("workshops:cycle_new"), data)  # double click, back button
    assert again.status_code == 200
    [error] = again.context["form"].errors["part_1_starts_at"]
    assert "Part 1 of cycle 1 already starts at Hampton Trust, Fareham" in error
    assert Cycle.objects.count() == 1
    # The same room at the same time in a run of cycles is refused as a whole.
    plan = CyclePlan(
        part_1_starts_at=starts - 5 * WEEK, venue="hampton trust, fareham", leads=[counsellor]
    )
    with pytest.raises(ConflictError, match="already starts"):
        cycle_run_create(trial=trial, plan=plan, count=3, interval_days=35, by=counsellor)
    assert Cycle.objects.count() == 1


def test_booking_proposes_the_earliest_cycle_with_space_that_ends_by_his_deadline(
    make_cycle: MakeCycle, workshop_man: Man, counsellor: User
) -> None:
    full = make_cycle(TODAY + WEEK, capacity=1)
    fits = make_cycle(TODAY + 2 * WEEK)
    make_cycle(TODAY + 3 * WEEK)
    booking_create(participant=workshop_man(), cycle=full, by=counsellor)
    man = workshop_man()
    assert booking_propose(participant=man) == fits
    # A deadline before the second cycle's part 2 leaves nothing to propose.
    Participant.objects.filter(pk=man.pk).update(workshop_deadline=TODAY + 5 * WEEK)
    assert booking_propose(participant=man) is None


def test_part_2_on_the_deadline_day_is_allowed_the_day_after_is_not(
    make_cycle: MakeCycle, workshop_man: Man, counsellor: User
) -> None:
    cycle = make_cycle(TODAY + WEEK)
    part_2_day = timezone.localtime(part(cycle, 2).starts_at).date()
    on_time, late = workshop_man(), workshop_man()
    Participant.objects.filter(pk=on_time.pk).update(workshop_deadline=part_2_day)
    Participant.objects.filter(pk=late.pk).update(
        workshop_deadline=part_2_day - datetime.timedelta(days=1)
    )
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert len(booking_create(participant=on_time, cycle=cycle, by=counsellor)) == 2
    with pytest.raises(DomainError, match=r"after CARA-\d+'s deadline"):
        booking_create(participant=late, cycle=cycle, by=counsellor)


def test_a_man_past_his_deadline_is_refused(
    make_cycle: MakeCycle, workshop_man: Man, counsellor: User
) -> None:
    man = workshop_man()
    Participant.objects.filter(pk=man.pk).update(
        workshop_deadline=TODAY - datetime.timedelta(days=1)
    )
    man.refresh_from_db()
    with pytest.raises(DomainError, match=r"deadline .* has passed"):
        booking_create(participant=man, cycle=make_cycle(), by=counsellor)


@pytest.mark.smoke
def test_refusals_say_why(
    make_cycle: MakeCycle, workshop_man: Man, control_man: Participant, counsellor: User
) -> None:
    cycle = make_cycle(capacity=1)
    with pytest.raises(DomainError, match="Control arm: only men in the workshop arm"):
        booking_create(participant=control_man, cycle=cycle, by=counsellor)
    first = workshop_man()
    booking_create(participant=first, cycle=cycle, by=counsellor)
    with pytest.raises(DomainError, match=r"Part 1 of cycle 1 is full \(1 of 1 places\)"):
        booking_create(participant=workshop_man(), cycle=cycle, by=counsellor)
    with pytest.raises(DomainError, match="already has a place in Part 1 of cycle 1"):
        booking_create(participant=first, cycle=make_cycle(TODAY + 2 * WEEK), by=counsellor)
    other = make_cycle(TODAY + 3 * WEEK)
    session_cancel(session=part(other, 2), reason="Venue flooded", by=counsellor)
    with pytest.raises(DomainError, match="Part 2 of cycle 3 is cancelled"):
        booking_create(participant=workshop_man(), cycle=other, by=counsellor)
    assert Booking.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_counsellors_racing_for_the_last_place_exactly_one_wins(
    make_cycle: MakeCycle, workshop_man: Man, counsellor: User
) -> None:
    cycle = make_cycle(capacity=1)
    men = [workshop_man(), workshop_man()]
    start = threading.Barrier(2)
    results: list[str] = []

    def book(man: Participant) -> None:
        try:
            start.wait()
            booking_create(participant=man, cycle=cycle, by=counsellor)
            results.append("booked")
        except DomainError as error:
            results.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(m,)) for m in men]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results.count("booked") == 1
    assert [r for r in results if r != "booked"] == ["Part 1 of cycle 1 is full (1 of 1 places)."]
    assert Booking.objects.filter(status=BookingStatus.BOOKED, part=1).count() == 1


def test_rebooking_after_a_missed_session_keeps_the_whole_history(
    make_cycle: MakeCycle, workshop_man: Man, counsellor: User
) -> None:
    first, second = make_cycle(TODAY + WEEK), make_cycle(TODAY + 2 * WEEK)
    man = workshop_man()
    booking_create(participant=man, cycle=first, by=counsellor)
    missed = Booking.objects.get(participant=man, part=1)
    attendance_record(
        booking=missed,
        attendance="did_not_attend",
        reason="In hospital",
        reason_accepted=True,
        by=counsellor,
        at=part(first, 1).starts_at + datetime.timedelta(hours=1),
    )
    assert queue_flags(counsellor)[man.pk]
    booking_create(participant=man, cycle=second, by=counsellor)
    history = list(Booking.objects.filter(participant=man).order_by("id"))
    assert [(b.session.cycle.number, b.part, b.status) for b in history] == [
        (1, 1, BookingStatus.EXCUSED),
        (1, 2, BookingStatus.CANCELLED),
        (2, 1, BookingStatus.BOOKED),
        (2, 2, BookingStatus.BOOKED),
    ]
    assert not scheduling_queue(user=counsellor).filter(pk=man.pk).exists()


@pytest.mark.parametrize(("gap", "allowed"), [(21, True), (35, True), (36, False)])
def test_part_2_alone_must_follow_his_part_1_inside_the_window(
    make_cycle: MakeCycle, workshop_man: Man, counsellor: User, gap: int, allowed: bool
) -> None:
    man = workshop_man()
    first = make_cycle(TODAY + WEEK)
    booking_create(participant=man, cycle=first, by=counsellor)
    attendance_record(
        booking=Booking.objects.get(participant=man, part=1),
        attendance="attended",
        by=counsellor,
        at=part(first, 1).starts_at + datetime.timedelta(hours=5),
    )
    # Part 2 of the later cycle falls `gap` days after his part 1.
    later = make_cycle(TODAY + WEEK + datetime.timedelta(days=gap - 28))
    Booking.objects.filter(participant=man, part=2).update(status=BookingStatus.CANCELLED)
    assert parts_needed(man) == (2,)
    if allowed:
        [booking] = booking_create(participant=man, cycle=later, by=counsellor)
        assert booking.part == 2
    else:
        with pytest.raises(DomainError, match=r"36 days after his part 1.*21 to 35 days"):
            booking_create(participant=man, cycle=later, by=counsellor)


def test_cancelling_a_session_moves_the_men_who_fit_and_flags_the_rest(
    make_cycle: MakeCycle, workshop_man: Man, counsellor: User
) -> None:
    cancelled = make_cycle(TODAY + WEEK)
    target = make_cycle(TODAY + 2 * WEEK, capacity=1)
    fits, flagged = workshop_man(), workshop_man()
    for man in (fits, flagged):
        booking_create(participant=man, cycle=cancelled, by=counsellor)
    result = session_cancel(
        session=part(cancelled, 1), reason="Counsellor ill", by=counsellor, move_to=target
    )
    assert result.moved == [fits.pseudonym]
    assert result.flagged == [flagged.pseudonym]
    moved = Booking.objects.get(participant=fits, session=part(cancelled, 1))
    assert moved.status == BookingStatus.MOVED
    assert moved.moved_to is not None
    assert moved.moved_to.session == part(target, 1)
    # The part-2 places of the cancelled cycle are freed too.
    assert not Booking.objects.filter(
        session=part(cancelled, 2), status=BookingStatus.BOOKED
    ).exists()
    assert queue_flags(counsellor)[flagged.pk]


def test_a_session_cannot_get_zero_places(make_cycle: MakeCycle) -> None:
    with pytest.raises(DomainError, match="between 1 and 50 places"):
        make_cycle(capacity=0)
    cycle = make_cycle()
    with pytest.raises(Exception, match="session_capacity_positive"):
        cycle.sessions.filter(part=1).update(capacity=0)


def test_cycles_keep_the_trial_defaults_when_fields_are_blank(
    trial: Trial, counsellor: User
) -> None:
    trial.session_hours = Decimal("4.5")
    trial.save()
    plan = CyclePlan(part_1_starts_at=at_local(TODAY + WEEK), venue="Fareham", leads=[counsellor])
    [cycle] = cycle_run_create(trial=trial, plan=plan, count=1, by=counsellor)
    one = part(cycle, 1)
    assert one.ends_at - one.starts_at == datetime.timedelta(hours=4, minutes=30)
