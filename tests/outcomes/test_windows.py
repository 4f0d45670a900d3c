"""Window arithmetic at its edges: the last day counts, the day after does not; 29 February."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from outcomes.scoring import RecordFacts, score
from outcomes.windows import add_months, in_window, window_closed, window_end

D = datetime.date


@pytest.mark.smoke
def test_an_offence_on_the_last_day_counts_and_the_day_after_does_not() -> None:
    randomised = D(2024, 3, 15)
    assert window_end(randomised, 12) == D(2025, 3, 15)
    assert in_window(randomised, 12, D(2025, 3, 15))
    assert not in_window(randomised, 12, D(2025, 3, 16))
    assert not in_window(randomised, 12, randomised)  # the day of randomisation: index offence
    assert not in_window(randomised, 12, D(2024, 3, 1))  # before randomisation
    assert in_window(randomised, 12, D(2024, 3, 16))

    records = [
        RecordFacts(D(2024, 3, 1), "105/01", "same_partner", 1),
        RecordFacts(D(2024, 3, 15), "105/01", "same_partner", 1),
        RecordFacts(D(2025, 3, 15), "008/06", "other_partner", 2),
        RecordFacts(D(2025, 3, 16), "008/06", "same_partner", 2),
    ]
    result = score(
        randomised_on=randomised,
        months=12,
        records=records,
        harms={"105/01": Decimal(1), "008/06": Decimal(10)},
        mapping={},
    )
    assert (result.offences, result.harm_days, result.days_to_first) == (1, Decimal(10), 365)
    assert result.domestic
    assert not result.same_partner
    assert result.import_run_ids == [2]


def test_a_window_closes_the_day_after_its_last_day() -> None:
    assert not window_closed(D(2024, 3, 15), 12, D(2025, 3, 15))
    assert window_closed(D(2024, 3, 15), 12, D(2025, 3, 16))


def test_29_february_randomisation_ends_on_the_last_day_of_february() -> None:
    leap = D(2024, 2, 29)
    assert window_end(leap, 12) == D(2025, 2, 28)
    assert window_end(leap, 24) == D(2026, 2, 28)
    assert window_end(leap, 48) == D(2028, 2, 29)
    assert in_window(leap, 12, D(2025, 2, 28))
    assert not in_window(leap, 12, D(2025, 3, 1))
    # Randomised on 28 February of a year before a leap year: the window ends on the 28th.
    assert window_end(D(2023, 2, 28), 12) == D(2024, 2, 28)
    assert not in_window(D(2023, 2, 28), 12, D(2024, 2, 29))


def test_month_ends_and_year_boundaries() -> None:
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 8, 31), 1) == D(2025, 9, 30)
    assert add_months(D(2025, 12, 10), 1) == D(2026, 1, 10)
    assert add_months(D(2025, 11, 30), 24) == D(2027, 11, 30)
    assert add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)
