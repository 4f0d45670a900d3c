"""records_push_bench.py at its tiny size on a fresh database (as CI runs it): exit 0, its figures.

It prints a push against the file import of the same rows, and the push sent again.
"""

from __future__ import annotations

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_records_push_bench_runs_on_a_fresh_database_and_prints_its_figures() -> None:
    out = run_bench("records_push_bench.py")
    assert "push / file import =" in out, out
    assert "push again, all duplicates (median):" in out, out
