"""The counsellor's calendar feed: whose a token is, and the iCalendar it serves.

The feed carries session times, venues and place counts: no names.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from common.models import User
from workshops.models import RECORDED_STATUSES, BookingStatus, CalendarToken, Session
from workshops.selectors.scope import own_cycles

FEED_DAYS_BACK = 90


def token_hash(token: str) -> str:
    """Return the stored form of a feed token (its SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_owner(token: str) -> User | None:
    """Return the user of a live token, or None."""
    found = (
        CalendarToken.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    return found.user if found is not None and found.user.is_active else None


def feed_sessions(user: User, now: datetime.datetime) -> QuerySet[Session]:
    """Return the sessions a counsellor leads, from a while back, with their booked counts.

    Only their provider's, in the trials where they are still a counsellor: a revoked role
    takes its sessions out of the subscribed calendar.
    """
    return (
        Session.objects.filter(leads=user, starts_at__gte=now - datetime.timedelta(FEED_DAYS_BACK))
        .filter(own_cycles(user, "cycle__"))
        .select_related("cycle__trial")
        .annotate(
            booked=Count(
                "bookings",
                filter=Q(bookings__status__in=[BookingStatus.BOOKED, *RECORDED_STATUSES]),
            )
        )
        .order_by("starts_at")
    )


def feed_render(*, user: User, now: datetime.datetime | None = None) -> bytes:
    """Return the user's sessions as an iCalendar document."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Trial manager//Workshops//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Workshop sessions")
    calendar.add("x-published-ttl", "PT1H")
    for session in feed_sessions(user, now):
        event = Event()
        event.add("uid", f"workshop-session-{session.pk}@trial-manager")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        trial = session.cycle.trial.code
        event.add(
            "summary",
            f"{trial} workshop {session.get_part_display().lower()} (cycle {session.cycle.number})",
        )
        event.add("location", session.venue)
        booked = getattr(session, "booked", 0)
        event.add("description", f"{booked} of {session.capacity} places booked.")
        if session.is_cancelled:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
