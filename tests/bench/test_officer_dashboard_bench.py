"""The officer dashboard bench still runs on a fresh database and prints what it claims."""

from __future__ import annotations

import re

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_the_bench_runs_at_a_tiny_size_and_prints_its_figures() -> None:
    out = run_bench("officer_dashboard.py", "--requests", "3")
    for page in ("first page", "second page", "bucket enrolled", "search", "deep page"):
        assert re.search(rf"{page}.* queries  p50 +[\d.]+ ms  p95 +[\d.]+ ms  max", out), page
    assert "same queries" in out
    assert "QUERIES DIFFER" not in out
    assert "EXPLAIN (ANALYZE)" in out
    assert "actual time=" in out
