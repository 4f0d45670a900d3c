"""Reads that depend on who is asking: row-level visibility is decided here, once.

Every rule holds in the trials where the user has the role (common/memberships.py):
- Counsellors see their provider's cycles and the workshop-arm men their provider books or is
  queued for (selectors/scope.py): never the control arm, victims or the allocation list.
  Trial managers see every cycle and breach of their trials.
- Case officers see the breaches (and rebooking flags) of their own police area only.
- The reports read `compliance_for_trial` and `feedback_summary`: trial IDs and counts only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from common.exceptions import DomainError
from common.memberships import trial_q
from common.models import User
from common.roles import Role
from participants.selectors import (
    CaseStatus,
    intervention_enrolled,
    intervention_participant_get,
    intervention_participants,
    participant_trial_id,
)
from trial.selectors import trial_get
from workshops.models import (
    FINAL_DEADLINE_OUTCOMES,
    RECORDED_STATUSES,
    AttendanceCorrection,
    Booking,
    BookingStatus,
    Breach,
    BreachStatus,
    Cycle,
    DeadlineDecision,
    Feedback,
    FeedbackAnswer,
    Session,
)
from workshops.questionnaire import AGREEING, ITEMS
from workshops.rules import BLOCKING_BREACH, check_participant
from workshops.selectors.scope import NO_ROW, own_cycles, provider_scope

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial

AnyUser = User | AnonymousUser
# Places taken: live ones and those whose attendance is recorded (a held session stays full).
TAKEN = Q(bookings__status__in=[BookingStatus.BOOKED, *RECORDED_STATUSES])


def cycles_visible_to(user: AnyUser, trial: Trial | None = None) -> QuerySet[Cycle]:
    """Return the cycles the user may see: their trials' (managers), their provider's (counsellors).

    With a trial, that trial's only (list pages show the current trial).
    """
    cycles = Cycle.objects.select_related("trial", "provider").filter(
        trial_q(user, Role.TRIAL_MANAGER) | own_cycles(user)
    )
    return cycles if trial is None else cycles.filter(trial=trial)


def sessions_visible_to(user: AnyUser, trial: Trial | None = None) -> QuerySet[Session]:
    """Return the visible sessions (of one trial if given) with `booked` (places taken)."""
    return (
        Session.objects.filter(cycle__in=cycles_visible_to(user, trial))
        .select_related("cycle__trial", "cycle__provider")
        .annotate(booked=Count("bookings", filter=TAKEN))
        .order_by("starts_at", "part")
    )


def session_get(*, user: AnyUser, pk: int) -> Session:
    """Return one visible session, or raise Http404."""
    try:
        return sessions_visible_to(user).get(pk=pk)
    except Session.DoesNotExist:
        raise Http404("No such session.") from None


def cycle_get(*, user: AnyUser, pk: int) -> Cycle:
    """Return one visible cycle, or raise Http404."""
    try:
        return cycles_visible_to(user).get(pk=pk)
    except Cycle.DoesNotExist:
        raise Http404("No such cycle.") from None


def open_cycles(*, user: AnyUser, trial: Trial, now: datetime.datetime) -> QuerySet[Cycle]:
    """Return the visible cycles of a trial whose part 1 has not ended and is not cancelled."""
    return (
        cycles_visible_to(user, trial)
        .filter(sessions__part=1, sessions__ends_at__gt=now)
        .exclude(sessions__cancelled_at__isnull=False)
        .order_by("number")
        .distinct()
    )


def workshop_participant_get(*, user: AnyUser, pk: int) -> Participant:
    """Return a workshop-arm man the user may see, or raise Http404 (control arm included)."""
    trial_id = participant_trial_id(pk=pk)
    if trial_id is None:
        raise Http404("No such participant in the workshop arm.")
    return intervention_participant_get(
        user=user, trial=trial_get(pk=trial_id), pk=pk, provider_scope=provider_scope(user)
    )


def booking_stop(participant: Participant, at: datetime.datetime) -> DomainError | None:
    """Why he cannot be booked now (a breach, a decision, a passed deadline), or None.

    The page asks the booking service's own check, so it never offers what the service refuses.
    """
    try:
        check_participant(participant, at)
    except DomainError as refusal:
        return refusal
    return None


def booking_history(*, participant: Participant) -> QuerySet[Booking]:
    """Return every booking the man ever had, oldest first, with sessions and any breach."""
    return (
        Booking.objects.filter(participant=participant)
        .select_related("session__cycle", "breach", "moved_to__session__cycle")
        .order_by("session__starts_at", "id")
    )


def _workshop_men(user: AnyUser, trial: Trial | None) -> QuerySet[Participant]:
    return intervention_participants(user=user, trial=trial, provider_scope=provider_scope(user))


def workshops_done() -> Q:
    """A man whose register shows both parts attended."""
    attended = Booking.objects.filter(participant=OuterRef("pk"), status=BookingStatus.ATTENDED)
    return Q(Exists(attended.filter(part=1)) & Exists(attended.filter(part=2)))


def unfinished() -> Q:
    """A workshop-arm man with no live place, not done, not blocked, not decided on.

    One condition for the counsellor's queue, the past-deadline list and the officer's
    "breach to act on" bucket.
    """
    live = Booking.objects.filter(participant=OuterRef("pk"), status=BookingStatus.BOOKED)
    blocked = Breach.objects.filter(BLOCKING_BREACH, participant=OuterRef("pk"))
    ended = DeadlineDecision.objects.filter(
        participant=OuterRef("pk"), outcome__in=FINAL_DEADLINE_OUTCOMES
    )
    return Q(
        ~Exists(live),
        ~Exists(blocked),
        ~Exists(ended),
        ~workshops_done(),
        status=CaseStatus.ENROLLED,
        allocation__arm__is_intervention=True,
    )


def past_deadline_condition(today: datetime.date) -> Q:
    """An unfinished man whose deadline has passed: his officer decides."""
    return unfinished() & Q(workshop_deadline__lt=today)


# No deadline sorts last; the sentinel keeps the keyset ordering non-null (common/keyset.py).
NO_DEADLINE = datetime.date.max
QUEUE_ORDER = ["deadline_order", "number", "id"]


def _to_finish(user: AnyUser, trial: Trial | None) -> QuerySet[Participant]:
    """Visible unfinished men, with `attended_parts` and `flagged`, earliest deadline first."""
    flagged = Booking.objects.filter(participant=OuterRef("pk"), needs_rebooking=True)
    went = Booking.objects.filter(participant=OuterRef("pk"), status=BookingStatus.ATTENDED)
    # One EXISTS per part, not a COUNT: no GROUP BY, so a page sorts its rows, not aggregates.
    attended = sum(
        (Case(When(Exists(went.filter(part=p)), then=1), default=0) for p in (1, 2)),
        start=Value(0),
    )
    return (
        _workshop_men(user, trial)
        .filter(unfinished())
        .annotate(
            attended_parts=attended,
            flagged=Exists(flagged),
            deadline_order=Coalesce("workshop_deadline", Value(NO_DEADLINE)),
        )
        .order_by(*QUEUE_ORDER)
    )


def scheduling_queue(
    *, user: AnyUser, trial: Trial | None = None, today: datetime.date | None = None
) -> QuerySet[Participant]:
    """Return the workshop-arm men to be scheduled (no live place, not done, not blocked).

    Each row has `attended_parts` (0 or 1) and `flagged` (a place lost to a cancellation, an
    excused absence or an officer's decision to rebook), earliest deadline first. Men whose
    deadline has passed are not here: they are in `past_deadline`, for their officer to decide.
    """
    today = today or timezone.localdate()
    return _to_finish(user, trial).filter(
        Q(workshop_deadline__isnull=True) | Q(workshop_deadline__gte=today)
    )


def past_deadline(
    *, user: AnyUser, trial: Trial | None = None, today: datetime.date | None = None
) -> QuerySet[Participant]:
    """Return the men whose deadline passed before they finished, with no decision yet.

    Both the counsellor and the officer see them: the officer extends the deadline or decides
    prosecution or no further action (a man with an open breach is on the breach list instead).
    """
    today = today or timezone.localdate()
    return _to_finish(user, trial).filter(past_deadline_condition(today))


def awaiting_attendance(
    *, user: AnyUser, now: datetime.datetime, trial: Trial | None = None
) -> QuerySet[Session]:
    """Return visible sessions that have started and still have places without attendance."""
    return (
        sessions_visible_to(user, trial)
        .filter(starts_at__lte=now, cancelled_at__isnull=True)
        .filter(Exists(Booking.objects.filter(session=OuterRef("pk"), status=BookingStatus.BOOKED)))
        .annotate(to_record=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)))
        .order_by("starts_at")
    )


def feedback_to_record(*, user: AnyUser, trial: Trial | None = None) -> QuerySet[Participant]:
    """Return visible men who attended part 2 and whose questionnaire is not recorded."""
    done_part_2 = Booking.objects.filter(
        participant=OuterRef("pk"), part=2, status=BookingStatus.ATTENDED
    )
    has_feedback = Feedback.objects.filter(participant=OuterRef("pk"))
    return _workshop_men(user, trial).filter(Exists(done_part_2), ~Exists(has_feedback))


def _officer_area(user: AnyUser, prefix: str) -> Q:
    """Rows of men of the officer's area, in the trials where they are an officer."""
    area_id = getattr(user, "police_area_id", None)
    if area_id is None:
        return NO_ROW
    return trial_q(user, Role.OFFICER, field=f"{prefix}trial") & Q(
        **{f"{prefix}police_area_id": area_id}
    )


DECIDED_ORDER = ["-decided_at", "-id"]  # latest decision first; breach_decided_seek serves it


def breaches_visible_to(user: AnyUser, trial: Trial | None = None) -> QuerySet[Breach]:
    """Return the breaches the user may see, of one trial if given.

    Officers: their area's men in their officer trials; counsellors: their provider's sessions
    in their counsellor trials; trial managers: every breach of their trials.
    """
    breaches = Breach.objects.select_related(
        "participant__police_area", "participant__trial", "booking__session__cycle", "decided_by"
    ).filter(
        trial_q(user, Role.TRIAL_MANAGER, field="participant__trial")
        | _officer_area(user, "participant__")
        | own_cycles(user, "booking__session__cycle__")
    )
    return breaches if trial is None else breaches.filter(participant__trial=trial)


def open_breaches_for_officer(user: AnyUser, trial: Trial | None = None) -> QuerySet[Breach]:
    """Return the open breaches awaiting the officer's decision, oldest first."""
    return breaches_visible_to(user, trial).filter(status=BreachStatus.OPEN).order_by("opened_at")


def breach_get(*, user: AnyUser, pk: int) -> Breach:
    """Return one breach the user may see, or raise Http404 (another area's does not exist)."""
    try:
        return breaches_visible_to(user).get(pk=pk)
    except Breach.DoesNotExist:
        raise Http404("No such breach in your area.") from None


def rebooking_flags_for_officer(user: AnyUser, trial: Trial | None = None) -> QuerySet[Booking]:
    """Return the area's places lost to cancelled sessions that still await rebooking.

    Officers see their area's in their officer trials, trial managers every area of theirs.
    """
    flags = (
        Booking.objects.filter(needs_rebooking=True)
        .select_related("participant", "session__cycle")
        .filter(
            trial_q(user, Role.TRIAL_MANAGER, field="participant__trial")
            | _officer_area(user, "participant__")
        )
    )
    return flags if trial is None else flags.filter(participant__trial=trial)


def compliance_for_trial(trial: Trial, as_of: datetime.date | None = None) -> dict[str, int]:
    """Return {trial ID: workshops attended (0, 1 or 2)} for the trial's workshop-arm men.

    A part counts when a booking for it is `attended` (left early with an accepted reason
    included). Control-arm participants are absent: they were never offered workshops. With
    `as_of` (a report's data cut), attendance is as the register stood at the end of that day:
    records made later are left out and later corrections undone, so a report at a past cut
    gives the same figures whenever it is run.
    """
    men = intervention_enrolled(trial=trial)
    bookings = Booking.objects.filter(participant__in=men, status__in=RECORDED_STATUSES)
    if as_of is not None:
        bookings = bookings.filter(attendance_recorded_at__date__lte=as_of)
    rows = list(bookings.values_list("pk", "participant__pseudonym", "part", "status"))
    then: dict[int, str] = {}
    if as_of is not None:
        # The first correction after the cut holds the status the booking had at the cut.
        later = AttendanceCorrection.objects.filter(
            booking__in=bookings.values("pk"), corrected_at__date__gt=as_of
        ).order_by("-corrected_at", "-id")
        then = dict(later.values_list("booking_id", "from_status"))  # earliest wins: last written
    parts: dict[str, set[int]] = {}
    for pk, pseudonym, part, status in rows:
        if then.get(pk, status) == BookingStatus.ATTENDED:
            parts.setdefault(pseudonym, set()).add(part)
    return {
        p: len(parts.get(p, ())) for p in men.order_by("number").values_list("pseudonym", flat=True)
    }


@dataclass(frozen=True)
class ItemSummary:
    code: str
    text: str
    answered: int
    agreeing: int

    @property
    def percent_agreeing(self) -> float | None:
        return round(100 * self.agreeing / self.answered, 1) if self.answered else None


def feedback_summary(trial: Trial) -> list[ItemSummary]:
    """Return, per questionnaire item, how many answered and how many agreed (agree or strongly)."""
    rows = (
        FeedbackAnswer.objects.filter(feedback__participant__trial=trial)
        .values("item")
        .annotate(answered=Count("pk"), agreeing=Count("pk", filter=Q(answer__in=AGREEING)))
    )
    counts: dict[str, tuple[int, int]] = {
        row["item"]: (row["answered"], row["agreeing"]) for row in rows
    }
    return [ItemSummary(item.code, item.text, *counts.get(item.code, (0, 0))) for item in ITEMS]
