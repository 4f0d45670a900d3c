"""Run a bench as CI does: a subprocess on a fresh, empty database it is given, dropped after."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _server_url() -> str:
    # The server of DATABASE_URL (as the settings read it), without a database name.
    db = settings.DATABASES["default"]
    # Marked postgres: scripts/test.sh leaves these out on SQLite, so here it is a mistake.
    assert db["ENGINE"].endswith("postgresql"), "the benches run on PostgreSQL: set DATABASE_URL"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database with a name of its own; yield its URL; drop it afterwards."""
    server = _server_url()
    name = f"bench_smoke_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_bench(script: str, *args: str, timeout: float = 120) -> str:
    """Run bench/<script> at its tiny size on a fresh database; return what it printed."""
    with fresh_database() as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "BENCH_DATABASE_URL": url,  # the benches that drop and create their own database
            "DJANGO_TESTING": "1",
        }
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script), "--tiny", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    assert done.returncode == 0, f"{script} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout
