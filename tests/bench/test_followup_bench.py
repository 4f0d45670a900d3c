"""followup_bench.py at its tiny size on a fresh database (as CI runs it): exit 0, its figures.

It prints the import rate against COPY, its memory and the snapshot freeze.
"""

from __future__ import annotations

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_followup_bench_runs_on_a_fresh_database_and_prints_its_figures() -> None:
    out = run_bench("followup_bench.py")
    assert "import 400 rows:" in out, out
    assert "rows/s" in out, out
    assert "import / COPY =" in out, out
    assert "peak Python memory of an import" in out, out
    assert "freeze 12-month windows: 200 snapshots" in out, out
