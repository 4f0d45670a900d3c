"""Workshop cycles and sessions, bookings and attendance, breaches, feedback, feeds, reminders.

Nothing here is ever deleted: a cancelled session, a missed booking or a decided breach keeps its
row and its status, so a man's whole history stays readable (and countable for the reports).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from common.crypto import EncryptedTextField
from common.transitions import Transitions


class Part(models.IntegerChoices):
    ONE = 1, "Part 1"
    TWO = 2, "Part 2"


class Delivery(models.Model):
    """The provider that runs an area's workshops in a trial: its counsellors queue those men."""

    trial = models.ForeignKey("trial.Trial", on_delete=models.PROTECT, related_name="deliveries")
    police_area = models.ForeignKey(
        "common.PoliceArea", on_delete=models.PROTECT, related_name="deliveries"
    )
    provider = models.ForeignKey(
        "common.Provider", on_delete=models.PROTECT, related_name="deliveries"
    )

    class Meta:
        ordering = ["trial", "police_area"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["trial", "police_area"], name="delivery_area_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} in {self.police_area}"


class Cycle(models.Model):
    """A part-1 and a part-2 session a few weeks apart, run by one provider for one trial."""

    trial = models.ForeignKey("trial.Trial", on_delete=models.PROTECT, related_name="cycles")
    provider = models.ForeignKey("common.Provider", on_delete=models.PROTECT, related_name="cycles")
    number = models.PositiveIntegerField(help_text="Sequence number of the cycle in its trial.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["trial", "number"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "number"], name="cycle_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number}"


class Session(models.Model):
    """One five-hour group workshop: part 1 or part 2 of its cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="sessions")
    part = models.PositiveSmallIntegerField(choices=Part.choices)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200)
    capacity = models.PositiveSmallIntegerField()
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="led_sessions", verbose_name="lead counsellors"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "part"], name="session_part_once_per_cycle"),
            models.CheckConstraint(condition=Q(part__in=Part.values), name="session_part_valid"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancel_reason="")
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="session_cancellation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.cycle} {self.get_part_display()} {timezone.localtime(self.starts_at):%d/%m/%Y}"
        )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    EXCUSED = "excused", "Missed with an accepted reason"
    MISSED = "missed", "Missed: breach"
    CANCELLED = "cancelled", "Cancelled"
    MOVED = "moved", "Moved to another session"


# Statuses that come from recorded attendance (and that a correction moves between).
RECORDED_STATUSES = [BookingStatus.ATTENDED, BookingStatus.EXCUSED, BookingStatus.MISSED]

# Statuses a booking may move to; anything else is refused (services.scheduling.transition).
BOOKING_TRANSITIONS: Transitions[str] = Transitions(
    {
        BookingStatus.BOOKED: {
            BookingStatus.ATTENDED,
            BookingStatus.EXCUSED,
            BookingStatus.MISSED,
            BookingStatus.CANCELLED,
            BookingStatus.MOVED,
        },
        BookingStatus.ATTENDED: set(),
        BookingStatus.EXCUSED: set(),
        BookingStatus.MISSED: set(),
        # A place lost to a cancelled session becomes "moved" when he is placed in another cycle.
        BookingStatus.CANCELLED: {BookingStatus.MOVED},
        BookingStatus.MOVED: set(),
    },
    statuses=BookingStatus,
)


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    LEFT_EARLY = "left_early", "Left early"


class Booking(models.Model):
    """A man's place in one session, and what happened there."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="workshop_bookings"
    )
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    # The session's part, copied so the database can refuse two live bookings for one part.
    part = models.PositiveSmallIntegerField(choices=Part.choices)
    status = models.CharField(
        max_length=20, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    booked_at = models.DateTimeField(default=timezone.now)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why the booking ended without attendance (cancelled session, part 1 missed, ...).
    status_note = models.CharField(max_length=200, blank=True)
    # A man flagged for rebooking after his session was cancelled or missed with a good reason.
    needs_rebooking = models.BooleanField(default=False)
    moved_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="moved_from"
    )
    attendance = models.CharField(max_length=20, choices=Attendance.choices, blank=True)
    # Reasons for missing a session are often about health or family: encrypted at rest.
    attendance_reason = EncryptedTextField(blank=True, default="")
    reason_accepted = models.BooleanField(null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["booked_at", "id"]
        indexes = [
            models.Index(fields=["participant", "status"], name="booking_participant_status")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="booking_status_valid"
            ),
            models.CheckConstraint(condition=Q(part__in=Part.values), name="booking_part_valid"),
            models.UniqueConstraint(
                fields=["participant", "part"],
                condition=Q(status=BookingStatus.BOOKED),
                name="booking_one_live_per_part",
            ),
            # Attendance is recorded exactly for the statuses that come from it.
            models.CheckConstraint(
                condition=(
                    Q(
                        status__in=[
                            BookingStatus.ATTENDED,
                            BookingStatus.EXCUSED,
                            BookingStatus.MISSED,
                        ]
                    )
                    & ~Q(attendance="")
                    & Q(attendance_recorded_at__isnull=False)
                )
                | (
                    ~Q(
                        status__in=[
                            BookingStatus.ATTENDED,
                            BookingStatus.EXCUSED,
                            BookingStatus.MISSED,
                        ]
                    )
                    & Q(attendance="")
                ),
                name="booking_attendance_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(status=BookingStatus.MOVED, moved_to__isnull=False)
                | (~Q(status=BookingStatus.MOVED) & Q(moved_to__isnull=True)),
                name="booking_moved_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.session}"

    @property
    def counts_as_attended(self) -> bool:
        return self.status == BookingStatus.ATTENDED


class BreachStatus(models.TextChoices):
    OPEN = "open", "Open: officer to decide"
    DECIDED = "decided", "Decided"
    WITHDRAWN = "withdrawn", "Withdrawn: attendance corrected"


class BreachOutcome(models.TextChoices):
    REBOOKED = "rebooked", "Rebook the workshop"
    PROSECUTION = "prosecution", "Prosecute for the original offence"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class Breach(models.Model):
    """A missed workshop without accepted reason: the case officer decides what follows."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="breach")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="workshop_breaches"
    )
    status = models.CharField(
        max_length=10, choices=BreachStatus.choices, default=BreachStatus.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    # Set by the notification task when the officers' e-mail went out (it runs at most once).
    notified_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=BreachOutcome.choices, blank=True)
    outcome_note = EncryptedTextField(blank=True, default="")  # may name people: encrypted
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An open breach is withdrawn when the attendance behind it is corrected; officers who were
    # told of it are told of the withdrawal (once: withdrawal_notified_at).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "breaches"
        indexes = [
            models.Index(fields=["status", "opened_at"], name="breach_status_opened"),
            # The breach list's decided rows page by keyset on (decided_at, id), newest first.
            models.Index(fields=["status", "-decided_at", "-id"], name="breach_decided_seek"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=BreachStatus.OPEN) & Q(outcome="") & Q(decided_at__isnull=True))
                | (
                    Q(status=BreachStatus.DECIDED)
                    & Q(outcome__in=BreachOutcome.values)
                    & Q(decided_at__isnull=False)
                )
                | (Q(status=BreachStatus.WITHDRAWN) & Q(outcome="") & Q(decided_at__isnull=True)),
                name="breach_decided_has_outcome",
            ),
            # Withdrawn exactly when a withdrawal time is recorded.
            models.CheckConstraint(
                condition=Q(status=BreachStatus.WITHDRAWN, withdrawn_at__isnull=False)
                | (~Q(status=BreachStatus.WITHDRAWN) & Q(withdrawn_at__isnull=True)),
                name="breach_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Breach {self.pk} ({self.participant})"

    @property
    def open_days(self) -> int:
        """Whole days since it opened (an open breach's age on the officer's list)."""
        return (timezone.localdate() - timezone.localtime(self.opened_at).date()).days


class DeadlineOutcome(models.TextChoices):
    EXTENDED = "extended", "Deadline extended"
    PROSECUTION = "prosecution", "Prosecute for the original offence"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


# Outcomes that end his workshops for good (no booking after them).
FINAL_DEADLINE_OUTCOMES = [DeadlineOutcome.PROSECUTION, DeadlineOutcome.NO_FURTHER_ACTION]


class DeadlineDecision(models.Model):
    """An officer's decision about a man's deadline: extended (to when, why), or the end of it.

    Taken on an open breach when no cycle can end by his deadline, or on a man whose deadline
    passed before he finished the workshops (the "past deadline" list).
    """

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="deadline_decisions"
    )
    breach = models.ForeignKey(
        Breach, null=True, blank=True, on_delete=models.PROTECT, related_name="deadline_decisions"
    )
    outcome = models.CharField(max_length=20, choices=DeadlineOutcome.choices)
    previous_deadline = models.DateField()
    new_deadline = models.DateField(null=True, blank=True)
    # Why: may name people (illness, family), like attendance reasons: encrypted.
    note = EncryptedTextField(blank=True, default="")
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DeadlineOutcome.values), name="deadline_outcome_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome=DeadlineOutcome.EXTENDED) & Q(new_deadline__gt=F("previous_deadline"))
                )
                | (~Q(outcome=DeadlineOutcome.EXTENDED) & Q(new_deadline__isnull=True)),
                name="deadline_extension_has_later_day",
            ),
            # One final decision per man: a second tab cannot prosecute him twice.
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(outcome__in=["prosecution", "no_further_action"]),
                name="deadline_final_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.participant})"


class AttendanceCorrection(models.Model):
    """A correction of recorded attendance: what was recorded before, what replaced it, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="corrections")
    corrected_at = models.DateTimeField(default=timezone.now)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=BookingStatus.choices)
    from_attendance = models.CharField(max_length=20, choices=Attendance.choices)
    from_reason = EncryptedTextField(blank=True, default="")
    from_reason_accepted = models.BooleanField(null=True, blank=True)
    to_status = models.CharField(max_length=20, choices=BookingStatus.choices)
    to_attendance = models.CharField(max_length=20, choices=Attendance.choices)
    # Why the record was wrong; may name people, like attendance reasons: encrypted.
    why = EncryptedTextField()

    class Meta:
        ordering = ["booking", "corrected_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=RECORDED_STATUSES) & Q(to_status__in=RECORDED_STATUSES),
                name="correction_between_recorded_statuses",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking}: {self.from_status} -> {self.to_status}"


class LikertAnswer(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEUTRAL = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


class Feedback(models.Model):
    """A man's questionnaire after part 2, recorded by the counsellor."""

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="workshop_feedback"
    )
    # The man's own words may name people: encrypted at rest like other personal data.
    comments = EncryptedTextField(blank=True, default="")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback of {self.participant}"


class FeedbackAnswer(models.Model):
    """The answer to one Likert item of the questionnaire (items: workshops/feedback.py)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="answers")
    item = models.CharField(max_length=40)
    answer = models.PositiveSmallIntegerField(choices=LikertAnswer.choices)

    class Meta:
        ordering = ["feedback", "item"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "item"], name="feedback_item_once"),
            models.CheckConstraint(
                condition=Q(answer__gte=1, answer__lte=5), name="feedback_answer_on_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.answer}"


class CalendarToken(models.Model):
    """A counsellor's secret calendar-feed address; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_token_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class Reminder(models.Model):
    """One reminder of one session to one person by one channel: claimed first, then sent."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reminders")
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workshop_reminders",
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    claimed_at = models.DateTimeField(default=timezone.now)
    # Null after a claim means the sender died before confirming: never retried automatically.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False, counsellor__isnull=True)
                | Q(participant__isnull=True, counsellor__isnull=False),
                name="reminder_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="reminder_channel_valid"
            ),
            models.UniqueConstraint(
                fields=["session", "participant", "channel"],
                condition=Q(participant__isnull=False),
                name="reminder_participant_once",
            ),
            models.UniqueConstraint(
                fields=["session", "counsellor", "channel"],
                condition=Q(counsellor__isnull=False),
                name="reminder_counsellor_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.channel} for {self.session}"
