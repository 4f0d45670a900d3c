"""audit_page_bench.py at its tiny size on a fresh database (as CI runs it): exit 0, its figures.

It prints each audit filter's first and deep page with its plan.
"""

from __future__ import annotations

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_audit_page_bench_runs_on_a_fresh_database_and_prints_its_figures() -> None:
    out = run_bench("audit_page_bench.py")
    assert "20,000 audit rows; 5 calls per figure" in out, out
    assert out.count(" page 5 p50 ") == 6, out  # every filter, first and deep page
    assert "Limit" in out, out  # with its plan
