"""What an officer types into the case search never reaches the server's request log."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common.log_filters import QueryStringRemoved

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_logs_the_path_without_the_search(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_TESTING": "1"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                address = f"http://127.0.0.1:{port}/accounts/login/?q=James+Hill&next=/officer/"
                with urllib.request.urlopen(address, timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text()
    assert '"GET /accounts/login/ HTTP/1.1" 200' in text, text
    assert "James" not in text
    assert "officer" not in text


def test_the_development_server_logs_the_path_without_the_search() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /officer/?q=James+Hill HTTP/1.1", "200", "5120"),
        None,
    )
    assert QueryStringRemoved().filter(record)
    assert record.getMessage() == '"GET /officer/?… HTTP/1.1" 200 5120'
    handlers = logging.getLogger("django.server").handlers
    assert any(isinstance(f, QueryStringRemoved) for h in handlers for f in h.filters)
