"""The demo's workshops: five-weekly cycles, bookings, attendance, breaches and feedback.

Everything goes through the real services with the clock set to when it happened, so the story
obeys the same rules as live use. It works on whatever workshop-arm men are enrolled: about 83%
attend both workshops, some one, a few none; breaches get officers' decisions (and one, a register
mistake, is withdrawn by a correction); completers answer
the questionnaire (about 82% and 91% agreeing on the two headline statements).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from common.exceptions import DomainError
from common.models import User
from demo.people import area_officer
from participants.selectors import intervention_enrolled
from workshops.selectors import (
    ITEMS,
    attended_part_2,
    breach_of,
    corrections_recorded,
    live_bookings,
    trial_workshop_counts,
)
from workshops.services import (
    CyclePlan,
    attendance_correct,
    attendance_record,
    booking_create,
    booking_propose,
    breach_decide,
    calendar_token_create,
    cycle_create,
    feedback_record,
    rebook_cycle,
)

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial

SEED = 20160301
VENUES = ["Hampton Trust, Eastleigh", "Hampton Trust, Portsmouth"]
FUTURE_CYCLES = 3
RECORD_AFTER = datetime.timedelta(days=3)
OPEN_BREACHES = datetime.timedelta(days=100)  # younger breaches await the officer's decision
# Chance of agreeing with each statement (the CARA interim report's 82% and 91%).
AGREE = {"attitude_to_partner": 0.82, "relationship_issues": 0.91}


@dataclass(frozen=True)
class DemoWorkshops:
    cycles: int
    booked: int
    breaches: int
    feed_path: str


def _cycles(trial: Trial, counsellor: User, first_day: datetime.date, venues: list[str]) -> None:
    """Create cycles every interval from the first caution to a few cycles ahead."""
    today = timezone.localdate()
    interval = datetime.timedelta(days=trial.cycle_interval_days)
    # Anchored so that the latest part 1 was two days ago: its register awaits attendance.
    day = today - datetime.timedelta(days=2)
    while day - interval >= first_day:
        day -= interval
    end = today + FUTURE_CYCLES * interval
    number = 0
    while day <= end:
        starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
        plan = CyclePlan(
            part_1_starts_at=starts, venue=venues[number % len(venues)], leads=[counsellor]
        )
        cycle_create(trial=trial, plan=plan, by=counsellor)
        day += datetime.timedelta(days=trial.cycle_interval_days)
        number += 1


def _book(man: Participant, counsellor: User, at: datetime.datetime) -> bool:
    cycle = booking_propose(participant=man, at=at)
    if cycle is None:
        return False
    try:
        booking_create(participant=man, cycle=cycle, by=counsellor, at=at)
    except DomainError:
        return False
    return True


def _attend(
    man: Participant, counsellor: User, manager: User, rng: random.Random, now: datetime.datetime
) -> None:
    """Record what happened at each past session of his live places, and what followed."""
    roll = rng.random()
    for booking in live_bookings(participant=man):
        session = booking.session
        if session.starts_at > now - RECORD_AFTER:
            return  # the latest sessions still await their registers
        missed = (booking.part == 1 and roll > 0.95) or (booking.part == 2 and 0.86 < roll <= 0.95)
        excused = booking.part == 1 and 0.83 < roll <= 0.86
        attendance_record(
            booking=booking,
            attendance="did_not_attend" if missed or excused else "attended",
            reason="Hospital appointment, letter seen" if excused else "",
            reason_accepted=excused,
            by=counsellor,
            at=session.ends_at,
        )
        if excused:  # rebooked into the next cycle that fits; he then attends
            _book(man, counsellor, session.ends_at + datetime.timedelta(days=1))
            _attend_all(man, counsellor, now)
            return
        if missed and not corrections_recorded(trial=man.trial):
            # The demo's one register mistake: he was there, the breach is withdrawn.
            attendance_correct(
                booking=booking,
                attendance="attended",
                why="Ticked absent in error: he is on the paper register",
                by=counsellor,
                at=session.ends_at + datetime.timedelta(days=1),
            )
            if booking.part == 1:  # his part 2 place was freed by the miss
                _book(man, counsellor, session.ends_at + datetime.timedelta(days=1))
            _attend_all(man, counsellor, now)
            return
        if missed:
            breach = breach_of(booking=booking)
            decided = session.ends_at + datetime.timedelta(days=3)
            outcome = rng.choice(["prosecution", "prosecution", "rebooked", "no_further_action"])
            if decided > now - OPEN_BREACHES:
                return  # recent ones still await the officer, for the demo dashboards
            if outcome == "rebooked" and rebook_cycle(participant=man, at=decided) is None:
                outcome = "no_further_action"  # no cycle ends by his deadline: not offered
            breach_decide(
                breach=breach,
                outcome=outcome,
                note="",
                by=area_officer(man.police_area, manager),
                at=decided,
            )
            if outcome == "rebooked" and _book(man, counsellor, decided):
                _attend_all(man, counsellor, now)
            return


def _attend_all(man: Participant, counsellor: User, now: datetime.datetime) -> None:
    for booking in live_bookings(participant=man, started_by=now - RECORD_AFTER):
        attendance_record(
            booking=booking, attendance="attended", by=counsellor, at=booking.session.ends_at
        )


def _feedback(man: Participant, counsellor: User, rng: random.Random) -> None:
    answers = {
        item.code: rng.choice([4, 5])
        if rng.random() < AGREE.get(item.code, 0.85)
        else rng.choice([1, 2, 3, 3])
        for item in ITEMS
    }
    feedback_record(participant=man, answers=answers, comments="", by=counsellor)


def demo_workshops_load(
    *,
    trial: Trial,
    manager: User,
    counsellor_name: str = "counsellor",
    venues: list[str] | None = None,
) -> DemoWorkshops:
    """Load the demo's workshops once (a second load only renews the counsellor's feed)."""
    counsellor = User.objects.get(username=counsellor_name)
    token = calendar_token_create(user=counsellor)
    feed_path = reverse("workshops:calendar_feed", args=[token])
    men = intervention_enrolled(trial=trial).order_by("caution_given_on", "number")
    if not trial_workshop_counts(trial=trial)[0]:
        first = men.aggregate(first=Min("caution_given_on"))["first"] or timezone.localdate()
        _cycles(trial, counsellor, first, venues or VENUES)
        rng = random.Random(SEED)  # noqa: S311 (synthetic data, not security)
        now = timezone.now()
        for man in men:
            assert man.caution_given_on is not None  # enrolled (constraint)
            booked_at = timezone.make_aware(
                datetime.datetime.combine(man.caution_given_on, datetime.time(15))
            )
            if _book(man, counsellor, booked_at):
                _attend(man, counsellor, manager, rng, now)
                if attended_part_2(participant=man):
                    _feedback(man, counsellor, rng)
    cycles, breaches = trial_workshop_counts(trial=trial)
    return DemoWorkshops(
        cycles=cycles,
        booked=men.filter(workshop_bookings__isnull=False).distinct().count(),
        breaches=breaches,
        feed_path=feed_path,
    )
