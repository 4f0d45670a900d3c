"""Reminders before each session, to the booked men (e-mail and SMS) and the lead counsellors.

Each reminder is claimed by inserting its Reminder row, unique per (session, recipient,
channel), in the same transaction as its outbox message (docs/outbox.md): a second run, or a
second worker, finds the row and skips it, and the outbox sends the message once after commit,
retrying a mail server or SMS gateway that is away. The text is rendered when it leaves, so a
session cancelled or a place given up in between is not reminded; sent_at is stamped then.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from common.models import OutboxMessage, User
from common.services import Envelope, outbox_enqueue
from workshops.models import BookingStatus, Channel, Reminder, Session
from workshops.rules import session_name

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial

MAX_DAYS_AHEAD = 14
REMINDER = "workshops.reminder"


def sessions_due(now: datetime.datetime, trial: Trial | None = None) -> list[Session]:
    """Return the sessions (of a trial, if named) whose reminder day has come, not started."""
    today = timezone.localtime(now).date()
    sessions = (
        Session.objects.filter(
            cancelled_at__isnull=True,
            starts_at__gt=now,
            starts_at__lt=now + datetime.timedelta(days=MAX_DAYS_AHEAD + 1),
        )
        .select_related("cycle__trial", "cycle__provider")
        .order_by("starts_at")
    )
    if trial is not None:
        sessions = sessions.filter(cycle__trial=trial)
    return [
        s
        for s in sessions
        if timezone.localtime(s.starts_at).date()
        <= today + datetime.timedelta(days=s.cycle.trial.reminder_days_before)
    ]


def _when(session: Session) -> str:
    return f"{timezone.localtime(session.starts_at):%A %d %B at %H:%M}"


def _queue(session: Session, channel: str, **recipient: Participant | User) -> bool:
    """Claim one reminder and put it in the outbox, together; False if it was claimed before."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(session=session, channel=channel, **recipient)
            outbox_enqueue(
                kind=REMINDER,
                channel=OutboxMessage.Channel.SMS if channel == Channel.SMS else "email",
                context={"reminder": reminder.pk},
                recipients={"reminder": reminder.pk},
            )
    except IntegrityError:
        return False  # claimed before: by an earlier run or another worker
    return True


def reminders_send_due(*, trial: Trial | None = None, now: datetime.datetime | None = None) -> int:
    """Queue every reminder due (of a trial, if named) not yet claimed; return how many."""
    now = now or timezone.now()
    queued = 0
    for session in sessions_due(now, trial):
        bookings = session.bookings.filter(status=BookingStatus.BOOKED)
        for man in [b.participant for b in bookings.select_related("participant")]:
            if man.email:
                queued += _queue(session, Channel.EMAIL, participant=man)
            if man.phone:
                queued += _queue(session, Channel.SMS, participant=man)
        for lead in session.leads.exclude(email=""):
            queued += _queue(session, Channel.EMAIL, counsellor=lead)
    return queued


def _man_text(session: Session) -> str:
    # Neutral words: someone else may read his phone.
    return (
        f"Reminder from {session.cycle.provider.name}: your session "
        f"({session.get_part_display().lower()}) is on {_when(session)} at {session.venue}. "
        "Please arrive 10 minutes early."
    )


def compose_reminder(message: OutboxMessage) -> list[Envelope]:
    """The reminder as it stands when it leaves: nothing for a cancelled or started session."""
    reminder = Reminder.objects.select_related(
        "session__cycle__provider", "participant", "counsellor"
    ).get(pk=message.context["reminder"])
    session = reminder.session
    if session.is_cancelled or session.starts_at <= timezone.now():
        return []
    man = reminder.participant
    if man is not None:
        if not session.bookings.filter(participant=man, status=BookingStatus.BOOKED).exists():
            return []  # his place was given up or moved since
        if reminder.channel == Channel.SMS:
            return [Envelope(channel="sms", to=str(man.phone or ""), body=_man_text(session))]
        subject = f"Your {session.cycle.provider.name} session on {_when(session)}"
        return [Envelope(to=[str(man.email or "")], subject=subject, body=_man_text(session))]
    lead = reminder.counsellor
    assert lead is not None
    booked = session.bookings.filter(status=BookingStatus.BOOKED).count()
    body = (
        f"{session_name(session)} is on {_when(session)} at {session.venue}: "
        f"{booked} of {session.capacity} places booked."
    )
    subject = f"Workshop reminder: {session_name(session)}"
    return [Envelope(to=[lead.email], subject=subject, body=body)]


def reminder_sent(message: OutboxMessage) -> None:
    """Stamp the reminder as sent."""
    Reminder.objects.filter(pk=message.context["reminder"]).update(sent_at=message.sent_at)
