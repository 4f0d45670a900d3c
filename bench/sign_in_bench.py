"""The password step of sign-in: Argon2 (now) against PBKDF2 (before), in one run.

Signs one user in through the real login page (django-axes, the audit trail, the session)
with Django's test client, 21 times with each stored hash, and prints the median and p90 per
sign-in and the ratio Argon2 / PBKDF2. The hash is put back before every PBKDF2 sign-in, since a
sign-in re-hashes an old password with Argon2. Also times the bare hash check alone.

    createdb -h 127.0.0.1 -U postgres bench_signin
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_signin DJANGO_TESTING=1 \\
        .venv/bin/python bench/sign_in_bench.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth.hashers import check_password, make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from common.models import User  # noqa: E402

PASSWORD = "correct horse battery staple"  # noqa: S105  (the bench user's, in a throwaway database)
ROUNDS = 21


def _sign_ins(user: User, hasher: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        User.objects.filter(pk=user.pk).update(
            password=make_password(PASSWORD, hasher=hasher)
        )  # one-door: bench set-up
        client = Client()
        started = time.perf_counter()
        response = client.post(
            "/accounts/login/", {"username": user.username, "password": PASSWORD}
        )
        times.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    return times


def _checks(hasher: str) -> list[float]:
    encoded = make_password(PASSWORD, hasher=hasher)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        assert check_password(PASSWORD, encoded, setter=None, preferred=hasher)
        times.append(time.perf_counter() - started)
    return times


def _line(name: str, times: list[float]) -> float:
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"  {name:<28} median {median * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms")
    return median


def main() -> None:
    global ROUNDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="CI's smoke size: 2 sign-ins each")
    if parser.parse_args().tiny:
        ROUNDS = 2
    setup_test_environment()
    call_command("migrate", verbosity=0)
    user = User.objects.filter(username="bench-signin").first() or User.objects.create(
        username="bench-signin"
    )  # one-door: bench set-up
    print(f"sign-in, password step, {ROUNDS} each (test client, real login view):")
    pbkdf2 = _line("PBKDF2 (Django's default)", _sign_ins(user, "pbkdf2_sha256"))
    argon2 = _line("Argon2id (now)", _sign_ins(user, "argon2"))
    print(f"  ratio Argon2 / PBKDF2: {argon2 / pbkdf2:.2f}")
    print("hash check alone:")
    bare_p = _line("PBKDF2", _checks("pbkdf2_sha256"))
    bare_a = _line("Argon2id", _checks("argon2"))
    print(f"  ratio Argon2 / PBKDF2: {bare_a / bare_p:.2f}")


if __name__ == "__main__":
    main()
