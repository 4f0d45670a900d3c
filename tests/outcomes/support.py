"""Builders for follow-up tests: a trial with participants randomised on given dates, extracts,
and a records-system endpoint served on 127.0.0.1."""

from __future__ import annotations

import csv
import datetime
import json
import time
from collections.abc import Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common.crypto import person_key
from common.identifiers import make_pnc
from outcomes.models import RecordSource
from outcomes.rows import COLUMNS
from outcomes.services import source_create
from tests.support import factories
from trial.models import Allocation, Trial
from trial.services import allocation_claim


def pnc(number: int) -> str:
    """The PNC ID of test person `number`."""
    return make_pnc(14, number)


def make_trial(code: str = "CARA", follow_up_months: Sequence[int] = (12, 24)) -> Trial:
    return factories.make_trial(
        code, title=code, strata_factors={"area": ["north"]}, follow_up_months=follow_up_months
    )


def randomise(trial: Trial, number: int, on: datetime.date) -> Allocation:
    """Randomise test person `number` on a date; their trial ID is CODE-000N."""
    return allocation_claim(
        trial=trial,
        participant_key=f"{trial.code}-{number:04d}",
        person_key=person_key(pnc(number)),
        strata={"area": "north"},
        by=None,
        randomised_on=on,
    )


def row(
    record_id: str,
    number: int,
    offence_date: datetime.date | str,
    code: str = "105/01",
    relationship: str = "same_partner",
    status: str = "arrest",
) -> list[str]:
    day = offence_date if isinstance(offence_date, str) else offence_date.isoformat()
    return [record_id, pnc(number), day, code, relationship, status]


def write_csv(
    path: Path,
    rows: Iterable[Sequence[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    header: Sequence[str] = COLUMNS,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def folder_source(trial: Trial, folder: Path, name: str = "Records extracts") -> RecordSource:
    folder.mkdir(parents=True, exist_ok=True)
    return source_create(trial=trial, name=name, kind="folder", folder=str(folder), by=None)


TOKEN = "s3cret-token"
Answer = tuple[int, bytes, float]  # status, body, delay in seconds


class Endpoint:
    """A records-system endpoint: each path answers from a queue of scripted answers."""

    def __init__(self) -> None:
        self.script: dict[str, list[Answer]] = {}
        self.hits: list[tuple[str, str]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                endpoint.hits.append((self.path, self.headers.get("Authorization", "")))
                queue = endpoint.script.get(self.path, [])
                status, body, delay = queue.pop(0) if len(queue) > 1 else queue[0]
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    status, body, delay = 401, b'{"error": "bad token"}', 0
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is the point of a timeout test

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def page(self, path: str, records: list[dict[str, str]], nxt: str | None, **kw: float) -> None:
        body = json.dumps({"records": records, "next": nxt}).encode()
        self.answer(path, 200, body, **kw)

    def answer(self, path: str, status: int, body: bytes, delay: float = 0) -> None:
        self.script.setdefault(path, []).append((status, body, delay))
