"""The run command's set-up steps work on a fresh SQLite database and the demo users sign in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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

    # The same steps as `make run` (scripts/run.py), stopping before it serves.
    result = subprocess.run(
        [sys.executable, "scripts/run.py", "--setup-only"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    logins = dict(re.findall(r"username: (\S+)\s+password: (\S+)", output))
    assert set(logins) == {
        "officer",
        "counsellor",
        "researcher",
        "manager",
        "datamanager",
        "coordinator",
        "dpo",
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
    )
    import json

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + check, json.dumps(logins), code],
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
        "wmp-officer": "/officer/",
        "wmp-counsellor": "/counsellor/",
        "wmp-manager": "/trial/",
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
