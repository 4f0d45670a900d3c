"""A small client of the trial manager's API: push a CSV of re-offence records, pull the dataset.

Standard library only, so it runs wherever Python 3.11 does (a records server, the university's
analysis machine). Set the address, the trial and a service token, then:

    export TRIAL_API_URL=https://trials.example.police.uk TRIAL_CODE=CARA-HANTS
    export TRIAL_API_TOKEN=tmk_...     # from the trial manager's API tokens page

    # a records system (token with records:write): the file import's columns, any number of rows
    python api_client.py push reoffences.csv --source "Niche RMS extracts"

    # the university (token with reports:read and dataset:read): the newest unblinded run's data
    python api_client.py pull --why "Final analysis in R" --out dataset.csv [--run 12]

A push is sent in parts of up to 10,000 records; each part is stored whole or not at all, so a
refused part stops the client with its rows' errors (by CSV line) and nothing of it is stored.
Records the trial already holds are counted as duplicates: sending the same file again is safe.
Exit status: 0 done, 1 refused (the problem is printed), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

COLUMNS = (
    "record_id",
    "person_id",
    "offence_date",
    "offence_code",
    "victim_relationship",
    "record_status",
)
PART = 10_000  # the API's limit for one push


class RefusedError(Exception):
    """The API answered with a problem (application/problem+json)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        self.status = status
        self.problem = problem


class Api:
    """The API of one trial, with one token."""

    def __init__(self, base: str, trial: str, token: str) -> None:
        self.base = base.rstrip("/") + "/api/v1/trials/" + urllib.parse.quote(trial, safe="")
        self.token = token

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[str, bytes]:
        """Send one request; return its content type and body, or raise RefusedError."""
        url = path if path.startswith("http") else self.base + path
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310  # the configured URL
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310
                return answer.headers.get("Content-Type", ""), answer.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                problem = json.loads(raw)
            except ValueError:
                problem = {"detail": raw.decode(errors="replace")[:500]}
            raise RefusedError(error.code, problem) from None

    def json(self, method: str, path: str, body: Any = None) -> Any:
        return json.loads(self.call(method, path, body)[1])

    def pages(self, path: str) -> Iterator[dict[str, Any]]:
        """Every row of a cursor-paginated list, following `next` to the end."""
        url: str | None = path
        while url:
            page = self.json("GET", url)
            yield from page["results"]
            url = page.get("next")


def source_id(api: Api, source: str) -> int:
    """The id of the trial's record source named (or numbered) so."""
    sources = api.json("GET", "/sources/")["results"]
    for found in sources:
        if source in (found["name"], str(found["id"])):
            return int(found["id"])
    names = ", ".join(f"{s['name']} ({s['id']})" for s in sources) or "none"
    raise SystemExit(f"No record source {source!r} in the trial; it has: {names}.")


def read_records(path: str) -> list[dict[str, str]]:
    """The CSV's rows as records; refuse a file without the import's columns."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{path} lacks the column(s): {', '.join(missing)}.")
        return [{c: (row[c] or "").strip() for c in COLUMNS} for row in reader]


def push(api: Api, path: str, source: str) -> dict[str, int]:
    """Push the CSV in parts; return the totals. A refused part raises RefusedError."""
    records = read_records(path)
    source_pk = source_id(api, source)
    totals = {"records": 0, "added": 0, "duplicates": 0, "unmatched": 0}
    for start in range(0, len(records), PART):
        part = records[start : start + PART]
        try:
            stored = api.json("POST", "/records/", {"source": source_pk, "records": part})
        except RefusedError as refused:
            for error in refused.problem.get("errors") or []:
                if isinstance(error, dict) and "index" in error:
                    error["csv_line"] = start + int(error["index"]) + 2  # after the header
            raise
        for key in totals:
            totals[key] += int(stored[key])
    return totals


def pull(api: Api, why: str, out: str, run: int | None = None) -> int:
    """Save a run's pseudonymised dataset (the newest unblinded one if none is given)."""
    if run is None:
        usable = [
            r for r in api.pages("/report-runs/") if r["status"] == "done" and not r["blinded"]
        ]
        if not usable:
            raise SystemExit("The trial has no finished unblinded report run with a dataset.")
        run = max(usable, key=lambda r: r["finished_at"] or "")["id"]
    _, body = api.call("GET", f"/dataset/?run={run}", headers={"X-Justification": why})
    with open(out, "wb") as handle:
        handle.write(body)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("TRIAL_API_URL", ""))
    parser.add_argument("--trial", default=os.environ.get("TRIAL_CODE", ""))
    commands = parser.add_subparsers(dest="command", required=True)
    pushing = commands.add_parser("push", help="push a CSV of re-offence records")
    pushing.add_argument("csv")
    pushing.add_argument("--source", required=True, help="the record source's name or id")
    pulling = commands.add_parser("pull", help="save a report run's pseudonymised dataset")
    pulling.add_argument("--why", required=True, help="why the data leaves (it is recorded)")
    pulling.add_argument("--out", default="dataset.csv")
    pulling.add_argument("--run", type=int)
    args = parser.parse_args(argv)
    token = os.environ.get("TRIAL_API_TOKEN", "")
    if not (args.url and args.trial and token):
        parser.error("set TRIAL_API_URL, TRIAL_CODE and TRIAL_API_TOKEN (or --url, --trial)")
    api = Api(args.url, args.trial, token)
    try:
        if args.command == "push":
            totals = push(api, args.csv, args.source)
            print(
                f"{totals['records']} records sent: {totals['added']} new, "
                f"{totals['duplicates']} already held, {totals['unmatched']} matching no one."
            )
        else:
            run = pull(api, args.why, args.out, args.run)
            print(f"Saved the dataset of report run {run} to {args.out}.")
    except RefusedError as refused:
        print(f"RefusedError ({refused.status}): {refused}", file=sys.stderr)
        errors = refused.problem.get("errors") or []
        for error in errors.items() if isinstance(errors, dict) else errors:
            print(f"  {json.dumps(error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
