"""report_bench.py at its tiny size on a fresh database (as CI runs it): exit 0, its figures.

It prints analysis and PDF time and memory at two sizes, and the growth.
"""

from __future__ import annotations

import re

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_report_bench_runs_on_a_fresh_database_and_prints_its_figures() -> None:
    out = run_bench("report_bench.py")
    assert "100 -> 300: participants x3" in out, out
    assert re.search(r"^\s+300\s+[\d.]+\s+[\d.]+", out, re.MULTILINE), out
