"""bench/enrolment_http.py still runs: the whole flow over HTTP, on a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """Create an empty database on DATABASE_URL's server; drop it afterwards."""
    if not DATABASE_URL.startswith("postgres"):
        pytest.skip("the bench runs on PostgreSQL (DATABASE_URL)")
    server, _, _ = DATABASE_URL.rpartition("/")
    name = f"bench_enrol_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_the_enrolment_bench_enrols_through_the_pages_with_no_anomaly(
    fresh_database: str,
) -> None:
    env = {**os.environ, "DATABASE_URL": fresh_database, "DJANGO_TESTING": "1"}
    done = subprocess.run(
        [sys.executable, "bench/enrolment_http.py", "--tiny"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    assert "1 officers, 3 cases:" in out, out
    assert "enrolments/s" in out
    for step in ("screen POST", "consent POST", "enrol POST", "randomised GET"):
        assert step in out, out
    assert "anomalies in all: 0" in out, out
