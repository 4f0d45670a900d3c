"""Start a real Celery worker process against the test database and the configured broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


_running: list[int] = []  # numbers of this process's workers still running


@contextmanager
def celery_worker(
    *, queues: str = "celery", timeout: float = 30, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Run a solo-pool worker until the block ends; it is stopped by its PID.

    `env` adds variables to the worker's environment (an EMAIL_URL, say). A worker started while
    another runs gets its own log file and node name.
    """
    number = next(n for n in range(1, 100) if n not in _running)
    suffix = "" if number == 1 else f"-{number}"
    worker_env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_TESTING": "1",
        **(env or {}),
    }
    log_path = Path(settings.VAR_DIR) / f"test-worker{suffix}.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            queues,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}{suffix}@%h",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _running.append(number)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # this block's tasks go to the real worker
    try:
        deadline = time.monotonic() + timeout
        while "ready." not in log_path.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Celery worker did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.1)
        yield proc
    finally:
        _running.remove(number)
        app.conf.task_always_eager = eager
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
