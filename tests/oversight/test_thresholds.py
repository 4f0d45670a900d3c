"""Each threshold turns its figure amber and red exactly past its lines, never on them."""

from __future__ import annotations

from fractions import Fraction

import pytest

from oversight import thresholds
from oversight.thresholds import Level, Threshold

SHARES = [
    (thresholds.SCREENING_COMPLETE, 95, 85),
    (thresholds.CONSENT_ON_TIME, 90, 75),
    (thresholds.ATTENDANCE_ON_TIME, 95, 80),
]
STEP = Fraction(1, 1000)  # a tenth of a percentage point, as a share


@pytest.mark.parametrize(("threshold", "amber", "red"), SHARES)
def test_a_share_is_amber_just_below_its_amber_line_and_red_just_below_its_red_line(
    threshold: Threshold, amber: int, red: int
) -> None:
    assert threshold.level(Fraction(1)) is Level.GREEN
    assert threshold.level(Fraction(amber, 100)) is Level.GREEN
    assert threshold.level(Fraction(amber, 100) - STEP) is Level.AMBER
    assert threshold.level(Fraction(red, 100)) is Level.AMBER
    assert threshold.level(Fraction(red, 100) - STEP) is Level.RED
    assert threshold.level(Fraction(0)) is Level.RED


def test_the_lines_are_the_documented_ones_on_whole_cases() -> None:
    # 19 of 20 screened cases complete is 95%: on target; 18 of 20 (90%) is amber.
    assert thresholds.SCREENING_COMPLETE.level(Fraction(19, 20)) is Level.GREEN
    assert thresholds.SCREENING_COMPLETE.level(Fraction(18, 20)) is Level.AMBER
    assert thresholds.SCREENING_COMPLETE.level(Fraction(17, 20)) is Level.AMBER
    assert thresholds.SCREENING_COMPLETE.level(Fraction(16, 20)) is Level.RED
    assert thresholds.CONSENT_ON_TIME.level(Fraction(3, 4)) is Level.AMBER
    assert thresholds.CONSENT_ON_TIME.level(Fraction(74, 100)) is Level.RED


@pytest.mark.parametrize(
    ("days", "level"),
    [(0, Level.GREEN), (35, Level.GREEN), (36, Level.AMBER), (62, Level.AMBER), (63, Level.RED)],
)
def test_an_extract_turns_amber_after_35_days_and_red_after_62(days: int, level: Level) -> None:
    assert thresholds.EXTRACT_AGE_DAYS.level(days) is level


@pytest.mark.parametrize(
    ("unmatched", "records", "level"),
    [
        (0, 20, Level.GREEN),
        (1, 20, Level.GREEN),  # 5%: on the line
        (51, 1000, Level.AMBER),  # 5.1%
        (2, 20, Level.AMBER),  # 10%: on the red line, still amber
        (101, 1000, Level.RED),  # 10.1%
    ],
)
def test_the_unmatched_rate_turns_amber_above_5_and_red_above_10_percent(
    unmatched: int, records: int, level: Level
) -> None:
    assert thresholds.UNMATCHED_RATE.level(Fraction(unmatched, records)) is level


@pytest.mark.parametrize(
    ("waiting", "level"), [(0, Level.GREEN), (1, Level.AMBER), (5, Level.AMBER), (6, Level.RED)]
)
def test_any_snapshot_waiting_for_a_code_is_amber_and_more_than_five_red(
    waiting: int, level: Level
) -> None:
    assert thresholds.WAITING_FOR_CODE.level(waiting) is level


def test_no_figure_is_no_data_never_green() -> None:
    for threshold, *_ in SHARES:
        assert threshold.level(None) is Level.NONE
    assert thresholds.EXTRACT_AGE_DAYS.level(None) is Level.NONE


def test_every_level_says_itself_in_words() -> None:
    assert {level.value for level in Level} == {
        "On target",
        "Below target",
        "Act now",
        "No data yet",
    }
