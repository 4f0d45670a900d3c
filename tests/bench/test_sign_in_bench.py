"""sign_in_bench.py at its tiny size on a fresh database (as CI runs it): exit 0, its figures.

It prints the password step with Argon2 and PBKDF2, and the bare hash check.
"""

from __future__ import annotations

import re

import pytest

from tests.bench._fresh_db import run_bench


@pytest.mark.postgres
def test_sign_in_bench_runs_on_a_fresh_database_and_prints_its_figures() -> None:
    out = run_bench("sign_in_bench.py")
    assert out.count("ratio Argon2 / PBKDF2:") == 2, out
    assert re.search(r"Argon2id \(now\)\s+median\s+[\d.]+ ms", out), out
