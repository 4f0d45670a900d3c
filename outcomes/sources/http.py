"""An HTTP JSON endpoint polled with a bearer token, page by page (see docs/follow-up.md).

A page is {"records": [{...}, ...], "next": "<url of the next page>" or null}. Timeouts,
connection errors, 429 and 5xx answers are retried with exponential backoff; a refused token or
another 4xx is not, since asking again cannot help. A page over IMPORT_MAX_BYTES is refused
unread when its Content-Length says so, and read no further than the limit otherwise.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urljoin

import requests

from outcomes.cells import max_bytes, shown, size_problem
from outcomes.extracts import FileRejectedError, Rows
from outcomes.models import RecordSource
from outcomes.sources.address import url_problem
from outcomes.sources.base import SourceUnavailableError, Unit

MAX_PAGES = 100_000  # a guard against an endpoint whose "next" never ends


class HttpReader:
    def units(self, source: RecordSource) -> Iterator[Unit]:
        url: str | None = source.url
        seen: set[str] = set()
        with requests.Session() as session:
            session.headers.update(
                {"Authorization": f"Bearer {source.token}", "Accept": "application/json"}
            )
            while url and url not in seen and len(seen) < MAX_PAGES:
                seen.add(url)
                problem = url_problem(url)  # every page: a "next" link may point anywhere
                if problem:
                    label = shown(url, 300)  # stored on the failed run: no NUL, no surrogate
                    raise SourceUnavailableError(label, problem, attempts=0, transient=False)
                try:
                    body, attempts = _fetch(session, source, url)
                except PageTooLargeError as exc:
                    yield Unit(url, _refused(str(exc)), attempts=exc.attempts)
                    return  # the page was not read, so its "next" is unknown
                try:
                    page = json.loads(body)
                    if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                        raise ValueError('the page is not an object with a "records" list')
                except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
                    yield Unit(url, _refused(f"The page is not valid JSON: {exc}."), page=body)
                    return  # the next page's address is unknown
                yield Unit(url, _records(page["records"]), page=body, attempts=attempts)
                following = page.get("next")
                url = urljoin(url, following) if isinstance(following, str) and following else None


class PageTooLargeError(Exception):
    """The page is over IMPORT_MAX_BYTES: refused unread (or read no further than the limit)."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


def _body(response: requests.Response, attempt: int) -> bytes:
    """Read the body up to IMPORT_MAX_BYTES; refuse a page whose length or body is larger."""
    declared = response.headers.get("Content-Length", "")
    too_large = size_problem(int(declared), "page") if declared.isdigit() else ""
    if too_large:
        raise PageTooLargeError(too_large, attempt)
    body = bytearray()
    for chunk in response.iter_content(chunk_size=64 * 1024):
        body += chunk
        if len(body) > max_bytes():  # no Content-Length, or a wrong one: stop at the limit
            raise PageTooLargeError(size_problem(len(body), "page"), attempt)
    return bytes(body)


def _records(items: list[object]) -> Rows:
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            yield number, item
        else:
            yield number, {"__width__": "the record is not a JSON object."}


def _refused(message: str) -> Rows:
    raise FileRejectedError(message)
    yield  # a generator, so the error surfaces inside the import's error handling


def _fetch(session: requests.Session, source: RecordSource, url: str) -> tuple[bytes, int]:
    """GET one page, retrying transient failures; return its body and the attempts it took."""
    problem = ""
    for attempt in range(1, source.max_attempts + 1):
        if attempt > 1:
            time.sleep(source.backoff_seconds * 2 ** (attempt - 2))
        try:
            # No redirects: a redirect could lead past the allow-list checked above.
            response = session.get(
                url, timeout=source.timeout_seconds, allow_redirects=False, stream=True
            )
        except requests.Timeout:
            problem = f"no answer within {source.timeout_seconds:g} s"
            continue
        except requests.ConnectionError as exc:
            problem = f"connection failed ({type(exc).__name__})"
            continue
        if response.status_code in (401, 403):
            raise SourceUnavailableError(
                url,
                f"The endpoint refused the token (HTTP {response.status_code}): ask the records "
                "team for a new token and enter it in the source's settings.",
                attempts=attempt,
                transient=False,
            )
        if response.status_code == 429 or response.status_code >= 500:
            problem = f"HTTP {response.status_code}"
            response.close()  # unread (streamed): free the connection for the retry
            continue
        if response.status_code != 200:
            raise SourceUnavailableError(
                url,
                f"The endpoint answered HTTP {response.status_code}: check the source's URL.",
                attempts=attempt,
                transient=False,
            )
        with response:
            try:
                return _body(response, attempt), attempt
            except requests.Timeout:  # the body stalled: try again like a page that never came
                problem = f"no answer within {source.timeout_seconds:g} s"
            except requests.ConnectionError as exc:
                problem = f"connection failed ({type(exc).__name__})"
    raise SourceUnavailableError(
        url,
        f"The endpoint failed {source.max_attempts} times (last: {problem}); "
        "it will be tried again.",
        attempts=source.max_attempts,
        transient=True,
    )
