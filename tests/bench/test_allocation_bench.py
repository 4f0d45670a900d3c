"""allocation_bench.py at its tiny size on a fresh database (as CI runs it): exit 0, its figures.

It prints allocations per second at 1 and 8 workers, against bare inserts, with no anomaly.
"""

from __future__ import annotations

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_allocation_bench_runs_on_a_fresh_database_and_prints_its_figures() -> None:
    out = run_bench("allocation_bench.py")
    # Both worker counts printed a row with its rates, ratios and anomalies, and none were found.
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["1"], ["8"])]
    assert [row[0] for row in rows] == ["1", "8"], out
    assert all(row[-1] == "0" for row in rows), out
