"""bench/enrolment_http.py still runs: the whole flow over HTTP, on a database of its own."""

from __future__ import annotations

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_the_enrolment_bench_enrols_through_the_pages_with_no_anomaly() -> None:
    out = run_bench("enrolment_http.py", timeout=150)
    assert "1 officers, 3 cases:" in out, out
    assert "enrolments/s" in out
    for step in ("screen POST", "consent POST", "enrol POST", "randomised GET"):
        assert step in out, out
    assert "anomalies in all: 0" in out, out
