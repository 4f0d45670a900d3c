"""The officer's whole enrolment flow over HTTP against gunicorn, with N officers at once.

Migrates the database named by DATABASE_URL, makes a recruiting CARA trial and N officer accounts
through the services, starts gunicorn (4 workers x 2 threads by default) on 127.0.0.1 and signs
each officer in once over HTTP (Argon2 by design: not part of the enrolment rate). Then each
officer, in a thread of its own, screens, consents and enrols its cases as a browser would: the
real pages with their CSRF tokens, 8 requests a case (screen GET and POST, the case, consent GET
and POST, the case, enrol POST, the randomised page). Prints enrolments/s and p50/p95/p99 of each
step for each officer count, and the anomalies: any 5xx or unexpected answer, a case enrolled
twice or not at all, an allocation without its audit rows, a slot used twice, a broken chain.

The server queues its notices in memory (no Celery worker runs): the pages are measured, not the
e-mails, which a worker sends outside the request.

    createdb -h 127.0.0.1 -U postgres bench_enrol
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_enrol DJANGO_TESTING=1 \\
        .venv/bin/python bench/enrolment_http.py [--officers 1,8,32] [--cases N] [--tiny]
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Invitations are sent as the accounts are made: kept in memory, not printed.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402  (after the settings' environment)

django.setup()

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.identifiers import make_pnc  # noqa: E402
from common.models import AuditEvent, PoliceArea, User  # noqa: E402
from common.roles import Role  # noqa: E402
from common.services import user_invite, user_password_set  # noqa: E402
from demo.people import HAMPSHIRE, demo_organisations_load  # noqa: E402
from participants.models import CaseStatus, Participant  # noqa: E402
from trial.models import Allocation, Trial  # noqa: E402
from trial.services import ArmSpec, chain_verify, trial_create, trial_transition  # noqa: E402

PASSWORD = "bench officer's long password"  # noqa: S105  (throwaway accounts, throwaway database)
STEPS = [
    "screen GET",
    "screen POST",
    "case GET",
    "consent GET",
    "consent POST",
    "case GET (consented)",
    "enrol POST",
    "randomised GET",
]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CASE_URL = re.compile(r"/officer/cases/(\d+)/$")


class UnexpectedAnswerError(Exception):
    """A page answered what a browser would not expect."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_start(workers: int, threads: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start gunicorn on a free port and wait for its health page; return it and its address."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # No worker runs: the server queues notices in its own memory, off the measured path.
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": "cache+memory://",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(base + "/healthz", timeout=30).status_code == 200:
                return server, base
        except requests.RequestException:
            pass  # still booting
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def trial_make(code: str) -> tuple[Trial, list[PoliceArea]]:
    """Create a recruiting CARA trial stratified by Hampshire's areas."""
    areas = demo_organisations_load().areas[HAMPSHIRE]
    trial = trial_create(
        code=code,
        title="CARA (HTTP bench)",
        arms=[ArmSpec("cara", "CARA workshops", 1, True), ArmSpec("control", "Control", 1)],
        strata_factors={"area": [area.code for area in areas]},
        block_multipliers=[1, 2, 3],
        research_email="research@bench.invalid",
        by=None,
    )
    return trial_transition(trial=trial, to_status="recruiting", by=None), areas


def officers_make(trial: Trial, areas: list[PoliceArea], count: int, stamp: str) -> list[User]:
    """Invite the officers (spread over the areas) and set their passwords, as the demo does."""
    officers = []
    for number in range(count):
        user = user_invite(
            username=f"bench-{stamp}-{number}",
            email=f"bench-{stamp}-{number}@bench.invalid",
            first_name="Bench",
            last_name=f"Officer {number}",
            roles=[Role.OFFICER],
            trial=trial,
            police_area=areas[number % len(areas)],
            by=None,
        )
        user_password_set(user=user, password=PASSWORD, via="bench")
        officers.append(user)
    return officers


class Browser:
    """One officer's browser: a cookie jar, CSRF tokens read from the pages, timed requests."""

    def __init__(self, base: str, times: dict[str, list[float]], lock: threading.Lock) -> None:
        self.base, self.times, self.lock = base, times, lock
        self.session = requests.Session()
        self.statuses: Counter[int] = Counter()

    def _send(self, step: str, method: str, path: str, data: Any = None) -> requests.Response:
        started = time.perf_counter()
        response = self.session.request(
            method, self.base + path, data=data, allow_redirects=False, timeout=60
        )
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[step].append(elapsed)
            self.statuses[response.status_code] += 1
        return response

    def page(self, step: str, path: str, expect: int = 200) -> str:
        response = self._send(step, "GET", path)
        if response.status_code != expect:
            raise UnexpectedAnswerError(f"{step} {path}: {response.status_code}")
        return response.text

    def post(self, step: str, path: str, page: str, data: dict[str, Any]) -> str:
        """Post a form of the page just read; return where the answer redirects."""
        csrf = CSRF.search(page)
        if csrf is None:
            raise UnexpectedAnswerError(f"{step} {path}: no CSRF token on the page")
        response = self._send(step, "POST", path, {**data, "csrfmiddlewaretoken": csrf[1]})
        if response.status_code != 302:
            raise UnexpectedAnswerError(f"{step} {path}: {response.status_code}")
        return response.headers["Location"]

    def sign_in(self, username: str) -> None:
        page = self.page("sign-in GET", "/accounts/login/")
        self.post(
            "sign-in POST", "/accounts/login/", page, {"username": username, "password": PASSWORD}
        )


def _token(page: str, step: str) -> str:
    found = TOKEN.search(page)
    if found is None:
        raise UnexpectedAnswerError(f"{step}: no token field on the page")
    return found[1]


def screening_data(number: int, trial: Trial, area: PoliceArea, token: str) -> dict[str, Any]:
    """The answers of an eligible case, unique person and custody reference per number."""
    today = timezone.localdate()
    return {
        "token": token,
        "trial": trial.pk,
        "police_area": area.pk,
        "given_name": "Daniel",
        "family_name": f"Marsh{number}",
        "date_of_birth": "1990-05-17",
        "sex": "male",
        "pnc_id": make_pnc(16, 200000 + number),
        "custody_reference": f"77/{number:05d}/26",
        "interpreter_needed": "no",
        "appropriate_adult_needed": "no",
        "offence_type": "common_assault",
        "offence_date": (today - datetime.timedelta(days=3)).isoformat(),
        "arrest_date": (today - datetime.timedelta(days=2)).isoformat(),
        "admission": "admitted",
        "first_domestic_offence": "yes",
        "last_violence_on": "",
        "dash_risk": "standard",
        "on_bail_or_order": "no",
        "victim_relationship": "current_partner",
        "caution_offered": "yes",
        "phone": "07700 900123",
        "email": "daniel@example.org",
        "address": f"{number} High Street, Southampton",
    }


def consent_data(token: str) -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {
        "token": token,
        "given_name": "Sarah",
        "family_name": "Marsh",
        "contacted": "yes",
        "contacted_on": today,
        "risk_raised": "no",
        "decision": "given",
        "decided_on": today,
        "method": "telephone",
    }


def one_case(browser: Browser, number: int, trial: Trial, area: PoliceArea) -> None:
    """Screen, consent and enrol one case through the 8 pages a browser would load."""
    page = browser.page("screen GET", "/officer/screen/")
    token = _token(page, "screen GET")
    where = browser.post(
        "screen POST", "/officer/screen/", page, screening_data(number, trial, area, token)
    )
    found = CASE_URL.search(where)
    if found is None:
        raise UnexpectedAnswerError(f"screen POST redirected to {where}")
    case = f"/officer/cases/{found[1]}/"
    browser.page("case GET", case)
    page = browser.page("consent GET", case + "consent/")
    browser.post("consent POST", case + "consent/", page, consent_data(_token(page, "consent GET")))
    page = browser.page("case GET (consented)", case)
    enrol = {
        "token": _token(page, "case GET (consented)"),
        "caution_given_on": timezone.localdate().isoformat(),
    }
    where = browser.post("enrol POST", case + "enrol/", page, enrol)
    if not where.endswith(case + "randomised/"):
        raise UnexpectedAnswerError(f"enrol POST redirected to {where}")
    page = browser.page("randomised GET", case + "randomised/")
    if "CARA workshops" not in page and "Control" not in page:
        raise UnexpectedAnswerError("the randomised page names no arm")


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a live process has used; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_now(server: int) -> dict[str, dict[int, float]]:
    """CPU seconds so far of gunicorn's processes and of this database's PostgreSQL backends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    web = [server, *_children(server)]
    return {
        "gunicorn": {pid: _cpu_seconds(pid) for pid in web},
        "postgres": {pid: _cpu_seconds(pid) for pid in backends},
    }


def cpu_spent(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU seconds used between two readings (a backend that closed meanwhile is missed)."""
    return {
        side: sum(seconds - before[side].get(pid, 0.0) for pid, seconds in after[side].items())
        for side in after
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def anomalies_found(
    trial: Trial, expected: int, errors: list[str], statuses: Counter[int]
) -> list[str]:
    """What went wrong, from the answers and from the database afterwards."""
    found = list(dict.fromkeys(errors))
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    if server_errors:
        found.append(f"{server_errors} answers 5xx")
    cases = Participant.objects.filter(trial=trial)
    enrolled = cases.filter(status=CaseStatus.ENROLLED, allocation__isnull=False).count()
    if enrolled != expected:
        found.append(f"{enrolled} cases enrolled of {expected}")
    rows = list(
        Allocation.objects.filter(trial=trial).values(
            "pk", "participant_key", "person_key", "slot_id"
        )
    )
    if len(rows) != expected:
        found.append(f"{len(rows)} allocations for {expected} cases")
    for key in ("participant_key", "person_key", "slot_id"):
        twice = [value for value, n in Counter(row[key] for row in rows).items() if n > 1]
        if twice:
            found.append(f"{len(twice)} {key} allocated twice")
    claims = set(
        AuditEvent.objects.filter(action="allocation.claim", trial=trial.code).values_list(
            "object_id", flat=True
        )
    )
    unlogged = [row["pk"] for row in rows if str(row["pk"]) not in claims]
    if unlogged:
        found.append(f"{len(unlogged)} allocations without an allocation.claim audit row")
    enrols = AuditEvent.objects.filter(action="participant.enrol", trial=trial.code).count()
    if enrols != expected:
        found.append(f"{enrols} participant.enrol audit rows for {expected} cases")
    verification = chain_verify(trial=trial, by=None)
    if not verification.ok:
        found.append(f"chain broken: {verification.message}")
    return found


def run_round(
    base: str, trial: Trial, officers: list[tuple[User, Browser]], cases: int, first: int
) -> tuple[float, dict[str, list[float]], list[str], Counter[int]]:
    """Each officer enrols its cases at once; return the rate, the step times and the errors."""
    times: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    errors: list[str] = []
    for _, browser in officers:
        browser.times, browser.lock, browser.statuses = times, lock, Counter()

    def work(index: int) -> None:
        user, browser = officers[index]
        assert user.police_area is not None
        for n in range(cases):
            try:
                one_case(browser, first + index * cases + n, trial, user.police_area)
            except (UnexpectedAnswerError, requests.RequestException) as error:
                with lock:
                    errors.append(str(error))

    started = time.perf_counter()
    with ThreadPoolExecutor(len(officers)) as pool:
        list(pool.map(work, range(len(officers))))
    elapsed = time.perf_counter() - started
    statuses: Counter[int] = Counter()
    for _, browser in officers:
        statuses.update(browser.statuses)
    return len(officers) * cases / elapsed, times, errors, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", default="1,8,32", help="officer counts, e.g. 1,8,32")
    parser.add_argument(
        "--cases", type=int, default=0, help="cases per officer (0: 48 in all, at least 3 each)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tiny", action="store_true", help="1 officer, 3 cases (CI)")
    args = parser.parse_args()
    counts = [1] if args.tiny else [int(n) for n in args.officers.split(",")]
    per_officer = 3 if args.tiny else args.cases

    call_command("migrate", verbosity=0)
    stamp = uuid.uuid4().hex[:6]
    trial, areas = trial_make(f"H{stamp}")
    accounts = officers_make(trial, areas, max(counts), stamp)
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "gunicorn.log"
        server, base = server_start(args.workers, args.threads, log)
        try:
            total = _measure(server.pid, base, trial, accounts, counts, per_officer, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    sys.exit(1 if total else 0)


def _measure(
    server: int,
    base: str,
    trial: Trial,
    accounts: list[User],
    counts: list[int],
    per_officer: int,
    args: Any,
) -> int:
    lock = threading.Lock()
    signed: list[tuple[User, Browser]] = []
    started = time.perf_counter()

    def sign_in(user: User) -> tuple[User, Browser]:
        browser = Browser(base, defaultdict(list), lock)
        browser.sign_in(user.username)
        return user, browser

    with ThreadPoolExecutor(args.workers) as pool:
        signed = list(pool.map(sign_in, accounts))
    print(
        f"enrolment over HTTP: gunicorn {args.workers} workers x {args.threads} threads; "
        f"{len(signed)} officers signed in in {time.perf_counter() - started:.1f} s (not counted)"
    )
    done, total_anomalies = 0, 0
    for count in counts:
        cases = per_officer or max(3, 48 // count)
        before, client = cpu_now(server), time.process_time()
        rate, times, errors, statuses = run_round(base, trial, signed[:count], cases, done)
        spent = cpu_spent(before, cpu_now(server))
        spent["client"] = time.process_time() - client
        done += count * cases
        found = anomalies_found(trial, done, errors, statuses)
        total_anomalies += len(found)
        print(
            f"\n{count} officers, {count * cases} cases: {rate:.2f} enrolments/s; "
            f"anomalies: {len(found)}"
        )
        # CPU per case: what the rate would be on two idle cores, whatever else the machine runs.
        per_case = {side: seconds * 1000 / (count * cases) for side, seconds in spent.items()}
        print(
            "  CPU per enrolment: "
            + ", ".join(f"{side} {ms:.0f} ms" for side, ms in per_case.items())
            + f" (in all {sum(per_case.values()):.0f} ms)"
        )
        print(f"  {'step':<22} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        for step in STEPS:
            values = times.get(step, [])
            if values:
                p50, p95, p99 = (_percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99))
                print(f"  {step:<22} {len(values):>5} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f}")
        for problem in found[:10]:
            print(f"  anomaly: {problem}")
    print(f"\nanomalies in all: {total_anomalies}")
    return total_anomalies


if __name__ == "__main__":
    main()
