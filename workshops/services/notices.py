"""The case officers' e-mails about a breach: that it opened, and that it was withdrawn.

Each is written to the outbox in the transaction that opened or withdrew the breach and rendered
when it is sent (docs/outbox.md), so a breach withdrawn before its e-mail left is never told, and
one the transaction rolled back tells nobody. Trial IDs only: names stay inside the application.
"""

from __future__ import annotations

from common.links import site_link
from common.models import OutboxMessage, User
from common.roles import Role
from common.services import Envelope, audit_record, outbox_enqueue
from workshops.models import Breach, BreachStatus
from workshops.rules import day_text, session_name

BREACH = "workshops.breach_notice"
WITHDRAWN = "workshops.breach_withdrawn"


def breach_notice_queue(*, breach: Breach, by: User | None) -> None:
    """Put the officers' e-mail about a breach in the outbox (in the caller's transaction)."""
    context = {"breach": breach.pk}
    outbox_enqueue(kind=BREACH, context=context, recipients={"area_officers": breach.pk}, by=by)


def breach_withdrawal_queue(*, breach: Breach, by: User | None) -> None:
    """Put the e-mail saying a breach was withdrawn in the outbox."""
    context = {"breach": breach.pk}
    outbox_enqueue(kind=WITHDRAWN, context=context, recipients={"area_officers": breach.pk}, by=by)


def _breach(message: OutboxMessage) -> Breach:
    return Breach.objects.select_related("participant__police_area", "booking__session__cycle").get(
        pk=message.context["breach"]
    )


def _officer_emails(breach: Breach) -> list[str]:
    """The active case officers of the man's police area, as the message leaves."""
    return list(
        User.objects.filter(
            police_area=breach.participant.police_area_id,
            is_active=True,
            memberships__role=Role.OFFICER.value,
            memberships__trial_id=breach.participant.trial_id,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def compose_breach_notice(message: OutboxMessage) -> list[Envelope]:
    """The breach e-mail, unless the officers were told already or it is no longer open."""
    breach = _breach(message)
    if breach.notified_at is not None or breach.status != BreachStatus.OPEN:
        return []
    booking = breach.booking
    body = (
        f"{breach.participant.pseudonym} missed {session_name(booking.session)} on "
        f"{day_text(booking.session.starts_at)} ({booking.get_attendance_display().lower()}, "
        "no accepted reason). This breaches the conditional caution.\n\n"
        "Record your decision (rebook, prosecution or no further action) here:\n"
        f"{site_link('breaches:detail', breach.pk)}\n"
    )
    subject = f"Workshop breach: {breach.participant.pseudonym}"
    return [Envelope(to=_officer_emails(breach), subject=subject, body=body)]


def _stamp(message: OutboxMessage, field: str, action: str) -> None:
    breach = _breach(message)
    Breach.objects.filter(pk=breach.pk).update(**{field: message.sent_at})
    officers = len(_officer_emails(breach))
    audit_record(
        actor=None,
        action=action,
        obj=breach,
        participant=breach.participant.pseudonym,
        officers=officers,
    )


def breach_notice_sent(message: OutboxMessage) -> None:
    """Stamp the breach as told, with the audit event (after the outbox sent the e-mail)."""
    _stamp(message, "notified_at", "breach.notify")


def compose_breach_withdrawn(message: OutboxMessage) -> list[Envelope]:
    """The withdrawal e-mail: only to officers who were told of the breach, and only once."""
    breach = _breach(message)
    if (
        breach.status != BreachStatus.WITHDRAWN
        or breach.notified_at is None
        or breach.withdrawal_notified_at is not None
    ):
        return []
    session = breach.booking.session
    pseudonym = breach.participant.pseudonym
    body = (
        f"The breach recorded for {pseudonym} at {session_name(session)} on "
        f"{day_text(session.starts_at)} has been withdrawn: the counsellor corrected the "
        f"attendance to {breach.booking.get_status_display().lower()}.\n\n"
        "No decision is needed.\n"
    )
    subject = f"Workshop breach withdrawn: {pseudonym}"
    return [Envelope(to=_officer_emails(breach), subject=subject, body=body)]


def breach_withdrawn_sent(message: OutboxMessage) -> None:
    """Stamp the withdrawal as told, with the audit event."""
    _stamp(message, "withdrawal_notified_at", "breach.withdrawal_notify")


def notices_register() -> None:
    """Tell the outbox how to compose and stamp breach e-mails and reminders (ready())."""
    from common.services import register_message
    from workshops.services.reminders import REMINDER, compose_reminder, reminder_sent

    register_message(BREACH, compose_breach_notice, after_send=breach_notice_sent)
    register_message(REMINDER, compose_reminder, after_send=reminder_sent)
    register_message(WITHDRAWN, compose_breach_withdrawn, after_send=breach_withdrawn_sent)
