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
    assert set(logins) == {"officer", "counsellor", "researcher", "manager", "datamanager"}
    assert (tmp_path / "db.sqlite3").exists()

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
    }

    # Loading again keeps one user per role and prints fresh passwords.
    again = dict(re.findall(r"username: (\S+)\s+password: (\S+)", manage("load_demo")))
    assert set(again) == set(logins)
    assert again["officer"] != logins["officer"]
