"""The officer dashboard bench still runs on a fresh database and prints what it claims."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database on the server of DATABASE_URL, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the bench runs on PostgreSQL: DATABASE_URL names none")
    parts = urlsplit(url)
    name = f"bench_smoke_{uuid.uuid4().hex[:10]}"
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_bench_runs_at_a_tiny_size_and_prints_its_figures(fresh_database: str) -> None:
    env = {**os.environ, "DATABASE_URL": fresh_database, "DJANGO_TESTING": "1"}
    done = subprocess.run(
        [sys.executable, "bench/officer_dashboard.py", "--tiny", "--requests", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for page in ("first page", "second page", "bucket enrolled", "search", "deep page"):
        assert re.search(rf"{page}.* queries  p50 +[\d.]+ ms  p95 +[\d.]+ ms  max", out), page
    assert "same queries" in out
    assert "QUERIES DIFFER" not in out
    assert "EXPLAIN (ANALYZE)" in out
    assert "actual time=" in out
