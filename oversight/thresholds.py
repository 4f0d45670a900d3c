"""The lines that turn a data-quality figure amber or red, and the days each "within N" allows.

One place for every number the data-quality page judges by (docs/oversight.md explains them).
A figure exactly on a line keeps the better level: with a 95% amber line, 95% is on target and
94.9% is amber; with a 35-day amber line, 35 days is on target and 36 days is amber.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

# Days a step may take and still count as recorded on time.
CONSENT_DAYS = 14  # victim's decision recorded within 14 days of screening
ATTENDANCE_DAYS = 2  # attendance recorded within 2 days of the session's end


class Level(StrEnum):
    """How a figure stands against its lines; the value is the text shown beside it."""

    GREEN = "On target"
    AMBER = "Below target"
    RED = "Act now"
    NONE = "No data yet"

    @property
    def css(self) -> str:
        """Bootstrap badge classes: colour backs up the text, never replaces it."""
        return {
            Level.GREEN: "text-bg-success",
            Level.AMBER: "text-bg-warning",
            Level.RED: "text-bg-danger",
            Level.NONE: "text-bg-secondary",
        }[self]


@dataclass(frozen=True)
class Threshold:
    """The amber and red lines of one figure, and which way is better."""

    amber: Fraction
    red: Fraction
    higher_is_better: bool
    unit: str  # "%" (lines in percent), "days" or "" (a count)

    def level(self, value: Fraction | int | None) -> Level:
        """Return the level of a figure (a share from 0 to 1 when the unit is %)."""
        if value is None:
            return Level.NONE
        shown = Fraction(value) * 100 if self.unit == "%" else Fraction(value)
        if self.higher_is_better:
            if shown < self.red:
                return Level.RED
            return Level.AMBER if shown < self.amber else Level.GREEN
        if shown > self.red:
            return Level.RED
        return Level.AMBER if shown > self.amber else Level.GREEN


def _share(amber: int, red: int) -> Threshold:
    return Threshold(Fraction(amber), Fraction(red), higher_is_better=True, unit="%")


def _at_most(amber: int, red: int, unit: str) -> Threshold:
    return Threshold(Fraction(amber), Fraction(red), higher_is_better=False, unit=unit)


# Shares of cases (percent): below amber is amber, below red is red.
SCREENING_COMPLETE = _share(amber=95, red=85)
CONSENT_ON_TIME = _share(amber=90, red=75)
ATTENDANCE_ON_TIME = _share(amber=95, red=80)
# Days, percent or counts that should stay low: above amber is amber, above red is red.
EXTRACT_AGE_DAYS = _at_most(amber=35, red=62, unit="days")  # extracts are monthly
UNMATCHED_RATE = _at_most(amber=5, red=10, unit="%")
WAITING_FOR_CODE = _at_most(amber=0, red=5, unit="")
