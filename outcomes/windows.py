"""Follow-up window arithmetic in calendar months.

A window of N months after randomisation on day R covers offences dated from R + 1 day up to and
including add_months(R, N): an offence on the last day counts, the day after does not, and
anything on or before the randomisation day (usually the index offence itself) does not.

29 February: when R + N months falls on a day the target month lacks, the window ends on the last
day of that month. Randomised on 29/02/2024, the 12-month window ends on 28/02/2025 and the
48-month window on 29/02/2028; randomised on 31/01/2025, the 1-month window ends on 28/02/2025.
"""

from __future__ import annotations

import datetime

from common.dates import add_months

__all__ = [
    "add_months",
    "in_window",
    "latest_randomisation_closed",
    "window_closed",
    "window_end",
]


def window_end(randomised_on: datetime.date, months: int) -> datetime.date:
    """Return the last day (inclusive) of the window of N months after randomisation."""
    return add_months(randomised_on, months)


def in_window(randomised_on: datetime.date, months: int, offence_date: datetime.date) -> bool:
    """Say whether an offence on this date falls inside the window."""
    return randomised_on < offence_date <= window_end(randomised_on, months)


def window_closed(randomised_on: datetime.date, months: int, today: datetime.date) -> bool:
    """Say whether the window's last day has passed (it can be frozen from the day after)."""
    return window_end(randomised_on, months) < today


def latest_randomisation_closed(months: int, today: datetime.date) -> datetime.date:
    """Return a date on or after every randomisation date whose window has closed by today.

    Used as a coarse database filter; window_closed decides exactly.
    """
    return add_months(today, -months) + datetime.timedelta(days=3)
