"""`make run` on a fresh SQLite database: quiet set-up, the credentials last before the server's
lines, a believable demo, and each printed password signs its user in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.smoke
def test_migrate_and_demo_load_on_a_fresh_database(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_URL"))
    }
    env.update({"DJANGO_DEMO": "1", "DJANGO_VAR_DIR": str(tmp_path)})

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    # `make run` itself (scripts/run.py): set up, start the worker, serve; stopped once serving.
    lines = _run_until_served(env, tmp_path)
    output = "\n".join(lines)
    _quiet_and_credentials_last(lines)
    logins = dict(re.findall(r"username: (\S+)\s+password: (\S+)", output))
    assert set(logins) == {
        "officer",
        "counsellor",
        "researcher",
        "manager",
        "datamanager",
        "coordinator",
        "dpo",
        "dmc",
        "wmp-officer",
        "wmp-counsellor",
        "wmp-manager",
    }
    # Two forces, two trials: each printed with its trials.
    assert "Trial CARA-WMP (Recruiting)" in output
    assert re.search(
        r"username: researcher\s+password: \S+\s+Researcher \(CARA-HANTS, CARA-WMP\)", output
    )
    assert (tmp_path / "db.sqlite3").exists()
    assert re.search(r"Audit trail: \d+ rows, intact", output), output
    _believable(manage)

    # The demo manager shows the second factor: a key printed for an authenticator app, and
    # `signin_code` standing in for the phone.
    key = re.findall(r"two-factor: add key (\S+)", output)
    assert len(key) == 1
    code = manage("signin_code", "manager").strip()
    assert re.fullmatch(r"\d{6}", code)

    # Each printed password signs its user in and lands on a dashboard (the manager after
    # the code).
    check = (
        "from django.test import Client\n"
        "import json, sys\n"
        "logins, code = json.loads(sys.argv[1]), sys.argv[2]\n"
        "for name, pw in logins.items():\n"
        "    c = Client()\n"
        "    r = c.post('/accounts/login/', {'username': name, 'password': pw}, follow=True)\n"
        "    assert r.status_code == 200 and r.redirect_chain, name\n"
        "    if name == 'manager':\n"
        "        assert r.redirect_chain[-1][0].startswith('/accounts/two-factor/')\n"
        "        r = c.post('/accounts/two-factor/', {'code': code, 'next': '/'}, follow=True)\n"
        "    print(name, r.redirect_chain[-1][0])\n"
        "for name, secret in json.loads(sys.argv[3]).items():\n"
        "    r = Client().get('/api/v1/trials/', HTTP_AUTHORIZATION=f'Bearer {secret}')\n"
        "    assert r.status_code == 200, r.content\n"
        "    print(name.replace(' ', '_'), '/api/' + r.json()['results'][0]['code'])\n"
    )
    tokens = dict(re.findall(r"^\s+(\S[^:]*): (tmk_\S+)$", output, re.MULTILINE))
    assert set(tokens) == {
        "Southampton custody suite",
        "Niche RMS (Hampshire)",
        "University R scripts",
    }
    import json

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n" + check,
            json.dumps(logins),
            code,
            json.dumps(tokens),
        ],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    landed = dict(line.split() for line in result.stdout.splitlines())
    assert landed == {
        "officer": "/officer/",
        "counsellor": "/counsellor/",
        "researcher": "/research/",
        "manager": "/trial/",
        "datamanager": "/outcomes/",
        "coordinator": "/oversight/",
        "dpo": "/audit/",
        "dmc": "/research/",
        "wmp-officer": "/officer/",
        "wmp-counsellor": "/counsellor/",
        "wmp-manager": "/trial/",
        # Each printed service token works: the demo's API is ready to try.
        "Southampton_custody_suite": "/api/CARA-HANTS",
        "Niche_RMS_(Hampshire)": "/api/CARA-HANTS",
        "University_R_scripts": "/api/CARA-HANTS",
    }

    # Loading again keeps one user per role and prints fresh passwords.
    again = dict(re.findall(r"username: (\S+)\s+password: (\S+)", manage("load_demo")))
    assert set(again) == set(logins)
    assert again["officer"] != logins["officer"]

    # A day's journey over a real server: what the officer types and opens never reaches its
    # log, and no file the demo wrote (database included) holds a name or PNC ID in clear.
    people = manage(
        "shell",
        "-c",
        "from participants.models import Participant as P\n"
        "mine = P.objects.exclude(pnc_id=None).filter(police_area__code='southampton')\n"
        "others = P.objects.exclude(pnc_id=None).exclude(police_area__code='southampton')\n"
        "for p in [*mine.order_by('number')[:20], *others.order_by('number')[:20]]:\n"
        "    print(p.given_name, p.family_name, p.pnc_id, p.custody_reference, sep='|')",
    ).splitlines()
    people = [line for line in people if line.count("|") == 3]
    assert len(people) >= 10
    _journey_leaves_no_trace(env, tmp_path, again["officer"], [p.split("|") for p in people])


# The development server's own lines (Django's runserver), which follow the credentials.
SERVER_LINE = re.compile(
    r"\w+ \d{2}, \d{4} - \d{2}:\d{2}:\d{2}$|Django version |Starting development server at "
    r"|Quit the server with |WARNING: This is a development server|For more information on "
)


def _run_until_served(env: dict[str, str], var: Path) -> list[str]:
    """Run scripts/run.py until its server answers and the worker has sent an e-mail; stop it."""
    import queue
    import signal
    import socket
    import threading
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env={**env, "RUN_PORT": str(port), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # what the terminal shows: both
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read(stream: Any) -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, args=(run.stdout,), daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while not any(line.startswith("Quit the server with") for line in seen):
            assert run.poll() is None or not lines.empty(), "\n".join(seen)
            assert time.monotonic() < deadline, "\n".join(seen)
            try:
                seen.append(lines.get(timeout=1).rstrip("\n"))
            except queue.Empty:
                continue
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert answer.status == 200
        # The worker sends the demo's e-mails into files, never onto the terminal.
        mail = var / "demo-mail"
        while not any(mail.glob("*.log")):
            assert time.monotonic() < deadline + 60, "no demo e-mail written"
            time.sleep(0.5)
    finally:
        run.send_signal(signal.SIGTERM)  # Ctrl+C's path: the server and the worker stop
        run.wait(timeout=60)
    assert run.returncode == 0, "\n".join(seen)
    return seen


def _quiet_and_credentials_last(lines: list[str]) -> None:
    """Set-up prints a few lines, then the address, then the credentials, then the server."""
    text = "\n".join(lines)
    serving = next(i for i, line in enumerate(lines) if line.startswith("Serving http://"))
    said = [line for line in lines[:serving] if line.strip()]
    # "Setting up...", the five lines of the summary and the four of the API tokens: no logs.
    assert len(said) <= 10, text
    assert not re.search(r"\bINFO\b|fontTools|Subject: |Content-Type: ", text), text
    credentials = [i for i, line in enumerate(lines) if re.match(r"\s+username: ", line)]
    assert len(credentials) == 11, text
    assert credentials[0] > serving, text
    after = [line for line in lines[credentials[-1] + 1 :] if line.strip()]
    assert after, text
    assert all(SERVER_LINE.match(line) for line in after), after
    assert "demo-mail" in "\n".join(lines[serving : credentials[0]])  # says where e-mails go


def _believable(manage: Any) -> None:
    """The demo reads like a trial: dated designs, real-sounding people, varied addresses."""
    facts = manage(
        "shell",
        "-c",
        "from django.db.models import Min\n"
        "from common.models import User\n"
        "from participants.models import Participant as P\n"
        "from trial.models import Allocation, Trial\n"
        "for t in Trial.objects.order_by('code'):\n"
        "    first = Allocation.objects.filter(trial=t).aggregate(m=Min('randomised_on'))['m']\n"
        "    design = t.designs.order_by('number').first()\n"
        "    print('trial', t.code, design.created_at.date(), first, sep='|')\n"
        "homes = [p.address for p in P.objects.exclude(address=None)]\n"
        "print('homes', len(homes), len(set(homes)), sum('Demo' in h for h in homes), sep='|')\n"
        "print('towns', *sorted({h.rsplit(', ', 1)[-1] for h in homes}), sep='|')\n"
        "print('people', *sorted(u.get_full_name() for u in User.objects.all()), sep='|')\n",
    )
    rows = [line.split("|") for line in facts.splitlines() if "|" in line]
    trials = [row for row in rows if row[0] == "trial"]
    assert len(trials) == 2, facts
    for _, code, designed, first in trials:
        assert designed < first, (code, designed, first)  # set up before its first case
    homes = next(row for row in rows if row[0] == "homes")
    count, distinct, demo_road = int(homes[1]), int(homes[2]), int(homes[3])
    assert count > 100, homes
    assert distinct > count * 0.8, homes
    assert demo_road == 0, homes
    towns = next(row for row in rows if row[0] == "towns")[1:]
    assert {"Southampton", "Portsmouth", "Birmingham", "Coventry"} <= set(towns), towns
    people = next(row for row in rows if row[0] == "people")[1:]
    assert "Priya Shah" in people
    assert not [name for name in people if re.search(r"\bDev\b|Datamanager|Demo", name)], people


def _journey_leaves_no_trace(
    env: dict[str, str], var: Path, password: str, people: list[list[str]]
) -> None:
    import http.cookiejar
    import socket
    import time
    import urllib.parse
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = var / "server.log"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"],
        cwd=ROOT,
        env={**env, "DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def get(path: str) -> str:
        with opener.open(base + path, timeout=10) as response:
            return response.read().decode()

    def post(path: str, data: dict[str, str]) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', get(path))
        assert token
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token[1]}).encode()
        request = urllib.request.Request(base + path, body, headers={"Referer": base + path})  # noqa: S310
        with opener.open(request, timeout=10) as response:
            return response.read().decode()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get("/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        post("/accounts/login/", {"username": "officer", "password": password})
        given, family, pnc, custody = people[0]
        # Officers type names and PNC IDs into the search box, though it finds trial IDs and
        # custody references only.
        get("/officer/?" + urllib.parse.urlencode({"q": f"{given} {family}"}))
        get("/officer/?" + urllib.parse.urlencode({"q": pnc}))
        listed = get("/officer/?" + urllib.parse.urlencode({"q": custody}))
        case = re.search(r'href="(/officer/cases/\d+/)"', listed)
        assert case, listed
        assert family in get(case[1])
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text()
    assert '"GET /officer/cases/' in text, text
    secrets = {value for person in people for value in person} - {"", "None"}
    assert not [s for s in secrets if s in text]
    pncs = {person[2] for person in people}  # (the database keeps custody references in clear)
    for path in var.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            leaked = [p for p in pncs if p.encode() in content]
            assert not leaked, (path, leaked)
