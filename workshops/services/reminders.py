"""Reminders before each session, to the booked men (e-mail and SMS) and the lead counsellors.

Each reminder is claimed before it is sent by inserting its Reminder row, unique per (session,
recipient, channel), and confirmed with sent_at afterwards. A second run, or a second worker,
finds the row and skips it; a worker that dies between claim and send leaves a claim without
sent_at, which is shown to staff rather than risking a second message. A failure the sender
reports releases the claim, so the next run tries again.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.models import User
from common.sms import sms_send
from workshops.models import BookingStatus, Channel, Reminder, Session
from workshops.rules import session_name

if TYPE_CHECKING:
    from participants.models import Participant

logger = logging.getLogger(__name__)
MAX_DAYS_AHEAD = 14


def sessions_due(now: datetime.datetime) -> list[Session]:
    """Return the sessions whose reminder day has come and that have not started."""
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
    return [
        s
        for s in sessions
        if timezone.localtime(s.starts_at).date()
        <= today + datetime.timedelta(days=s.cycle.trial.reminder_days_before)
    ]


def _when(session: Session) -> str:
    return f"{timezone.localtime(session.starts_at):%A %d %B at %H:%M}"


def _claim(session: Session, channel: str, **recipient: Participant | User) -> Reminder | None:
    try:
        with transaction.atomic():
            return Reminder.objects.create(session=session, channel=channel, **recipient)
    except IntegrityError:
        return None  # claimed before: by an earlier run or another worker


def _deliver(reminder: Reminder, send: object) -> bool:
    try:
        send()  # type: ignore[operator]
    except Exception as exc:
        # The exception's text and traceback can carry the address or number (SMTP refusals
        # list the recipients): log the reminder's id and the error's type only.
        logger.warning(
            "Reminder %s could not be sent (%s); it will be tried again",
            reminder.pk,
            type(exc).__name__,
        )
        reminder.delete()  # a failure we saw: release the claim for the next run
        return False
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    return True


def _remind_men(session: Session) -> int:
    sent = 0
    provider = session.cycle.provider.name
    bookings = session.bookings.filter(status=BookingStatus.BOOKED).select_related("participant")
    for booking in bookings:
        man = booking.participant
        # Neutral words: someone else may read his phone.
        text = (
            f"Reminder from {provider}: your session ({session.get_part_display().lower()}) is on "
            f"{_when(session)} at {session.venue}. Please arrive 10 minutes early."
        )
        if man.email and (r := _claim(session, Channel.EMAIL, participant=man)):
            email = man.email
            sent += _deliver(
                r,
                lambda email=email, text=text: send_mail(
                    f"Your {provider} session on {_when(session)}", text, None, [email]
                ),
            )
        if man.phone and (r := _claim(session, Channel.SMS, participant=man)):
            phone = man.phone
            sent += _deliver(r, lambda phone=phone, text=text: sms_send(to=phone, body=text))
    return sent


def _remind_leads(session: Session) -> int:
    sent = 0
    booked = session.bookings.filter(status=BookingStatus.BOOKED).count()
    text = (
        f"{session_name(session)} is on {_when(session)} at {session.venue}: "
        f"{booked} of {session.capacity} places booked."
    )
    for lead in session.leads.exclude(email=""):
        if r := _claim(session, Channel.EMAIL, counsellor=lead):
            email = lead.email
            sent += _deliver(
                r,
                lambda email=email: send_mail(
                    f"Workshop reminder: {session_name(session)}", text, None, [email]
                ),
            )
    return sent


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send every reminder that is due and not yet claimed; return the number sent."""
    now = now or timezone.now()
    sent = 0
    for session in sessions_due(now):
        sent += _remind_men(session) + _remind_leads(session)
    return sent
