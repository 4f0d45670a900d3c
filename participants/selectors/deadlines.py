"""A workshop deadline's flag: overdue, or due within 14 days (on the officer's lists too).

The deadline is the case's own fact (set at enrolment, extended by the officer), so its rule
lives here; the workshops pages read it from here too.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from participants.models import Participant

DUE_SOON_DAYS = 14


def deadline_limit(participant: Participant) -> datetime.date | None:
    """Return the latest day his deadline may be extended to (his trial's legal limit)."""
    if participant.caution_given_on is None:
        return None
    weeks = participant.trial.deadline_limit_weeks
    return participant.caution_given_on + datetime.timedelta(weeks=weeks)


def deadline_state(day: datetime.date | None, today: datetime.date | None = None) -> str:
    """Say "overdue", "due soon" (within 14 days) or "" for a workshop deadline."""
    if day is None:
        return ""
    today = today or timezone.localdate()
    if day < today:
        return "overdue"
    return "due soon" if (day - today).days <= DUE_SOON_DAYS else ""


def deadline_q(state: str, today: datetime.date | None = None, prefix: str = "") -> Q:
    """Return the filter on Participant for "overdue" or "due soon" (for the officer's lists)."""
    today = today or timezone.localdate()
    name = f"{prefix}workshop_deadline"
    if state == "overdue":
        return Q(**{f"{name}__lt": today})
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return Q(**{f"{name}__gte": today, f"{name}__lte": soon})
