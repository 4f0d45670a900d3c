"""Month and week grids of sessions, with fill levels, for the server-rendered calendar."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from workshops.models import Session


@dataclass(frozen=True)
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    sessions: list[Session]


def _by_day(
    sessions: QuerySet[Session], first: datetime.date, last: datetime.date
) -> dict[datetime.date, list[Session]]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    days: dict[datetime.date, list[Session]] = defaultdict(list)
    for session in sessions.filter(starts_at__gte=start, starts_at__lt=end):
        days[timezone.localtime(session.starts_at).date()].append(session)
    return days


def month_grid(sessions: QuerySet[Session], year: int, month: int) -> list[list[Day]]:
    """Return the weeks (Monday first) covering the month, each day with its sessions."""
    weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    days = _by_day(sessions, weeks[0][0], weeks[-1][-1])
    today = timezone.localdate()
    return [[Day(d, d.month == month, d == today, days.get(d, [])) for d in week] for week in weeks]


def week_days(sessions: QuerySet[Session], monday: datetime.date) -> list[Day]:
    """Return the seven days of the week starting on the Monday, with their sessions."""
    dates = [monday + datetime.timedelta(days=i) for i in range(7)]
    days = _by_day(sessions, dates[0], dates[-1])
    today = timezone.localdate()
    return [Day(d, True, d == today, days.get(d, [])) for d in dates]


# Years a calendar page may show: the grid and its previous/next links step past the month or
# week asked for, which near year 1 or 9999 overflows datetime.date.
YEARS = range(1900, 2200)


def parse_month(text: str | None) -> tuple[int, int]:
    """Return (year, month) from 'YYYY-MM', or this month."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if year not in YEARS:
        return today.year, today.month
    return year, month


def parse_monday(text: str | None) -> datetime.date:
    """Return the Monday of the week containing 'YYYY-MM-DD', or of this week."""
    try:
        day = datetime.date.fromisoformat(text or "")
    except ValueError:
        day = timezone.localdate()
    if day.year not in YEARS:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def shift_month(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
