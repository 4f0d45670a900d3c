"""Settings come from the environment and refuse unsafe production defaults."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_REQUIRED = {
    "DJANGO_SECRET_KEY": "k7#f9Qp2!zR8vX4mL0wT6yB1nH3jD5sG-aE9cU2oI7pK4rW6qZ",
    "FIELD_ENCRYPTION_KEYS": "uXG1qJ0c1Qv3mB6m3yQ7g2c8f6l1vHq7Kq0yq3x9sXo=",
    "PERSON_HASH_KEY": "a-long-random-person-hash-key-for-the-test",
    "SITE_URL": "https://trials.example.police.uk",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.police.uk:587",
}
BASE_ENV = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(
        (
            "DJANGO_",
            "DATABASE_URL",
            "CELERY_",
            "REDIS_URL",
            "FIELD_ENC",
            "PERSON_HASH",
            "SITE_URL",
            "EMAIL_",
            "TWO_FACTOR",
        )
    )
}


def _django(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **BASE_ENV,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.smoke
def test_settings_refuse_to_start_without_a_secret_key_outside_demo(tmp_path: Path) -> None:
    result = _django("", {}, tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("missing", ["FIELD_ENCRYPTION_KEYS", "PERSON_HASH_KEY"])
def test_settings_refuse_to_start_without_the_personal_data_keys(
    tmp_path: Path, missing: str
) -> None:
    env = {k: v for k, v in PROD_REQUIRED.items() if k != missing}
    result = _django("", env, tmp_path)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_e_mail_links_need_the_site_address_outside_demo(tmp_path: Path) -> None:
    without = {k: v for k, v in PROD_REQUIRED.items() if k != "SITE_URL"}
    result = _django("", without, tmp_path)
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr
    code = "from django.conf import settings as s; print(s.SITE_URL)"
    origin = {
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://cara.example.police.uk/,https://other.example"
    }
    result = _django(code, {**without, **origin}, tmp_path)
    assert result.stdout.strip() == "https://cara.example.police.uk", result.stderr
    result = _django(code, {**PROD_REQUIRED, "SITE_URL": "https://trials.example/"}, tmp_path)
    assert result.stdout.strip() == "https://trials.example", result.stderr
    # A wildcard origin is no address to link to; an address without a scheme is no link.
    wildcard = {"DJANGO_CSRF_TRUSTED_ORIGINS": "https://*.example.police.uk"}
    result = _django(code, {**without, **wildcard}, tmp_path)
    assert "SITE_URL is not set" in result.stderr
    result = _django(code, {**PROD_REQUIRED, "SITE_URL": "trials.example.police.uk"}, tmp_path)
    assert "SITE_URL must be the site's address" in result.stderr


@pytest.mark.smoke
def test_demo_mode_runs_on_embedded_defaults(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.DEBUG, "
        "s.TIME_ZONE, s.LANGUAGE_CODE, s.USE_TZ, s.CELERY_TASK_ALWAYS_EAGER)"
    )
    prepare = [sys.executable, "scripts/prepare.py"]
    env = {**BASE_ENV, "DJANGO_VAR_DIR": str(tmp_path)}
    subprocess.run(prepare, cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    secret = (tmp_path / "secret_key").read_text()
    result = _django(code, {"DJANGO_DEMO": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "False",
        "Europe/London",
        "en-gb",
        "True",
        "False",
    ]
    assert (tmp_path / "secret_key").read_text() == secret  # read, never made again
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # this user's only


@pytest.mark.smoke
def test_settings_only_read_the_environment_and_never_write(tmp_path: Path) -> None:
    result = _django("", {"DJANGO_DEMO": "1"}, tmp_path)
    assert result.returncode != 0
    assert "scripts/prepare.py" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no folder, no secret made by loading settings


def test_environment_selects_postgresql_and_redis(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['HOST'], s.CELERY_BROKER_URL)"
    )
    result = _django(
        code,
        {
            **PROD_REQUIRED,
            "DATABASE_URL": "postgres://trial@db.example:5432/trials",
            "REDIS_URL": "redis://cache.example:6379/0",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "trials",
        "db.example",
        "redis://cache.example:6379/0",
    ]


def test_dates_are_shown_the_british_way(settings: object) -> None:
    import datetime

    from django.utils import formats, translation

    with translation.override("en-gb"):
        assert formats.date_format(datetime.date(2026, 11, 23), "SHORT_DATE_FORMAT") == "23/11/2026"


def _deploy_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **BASE_ENV,
            "DJANGO_VAR_DIR": str(tmp_path),
            "DJANGO_ALLOWED_HOSTS": "trials.example.police.uk",
            **env,
        },
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _deploy_check(PROD_REQUIRED, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = re.findall(r"\((security\.\w+)\)", result.stdout + result.stderr)
    # HSTS preload is a commitment each force makes for its own domain; README explains W021.
    assert warnings == ["security.W021"]
    assert "security.W021" in (ROOT / "README.md").read_text()


def test_production_refuses_to_start_without_an_smtp_server(tmp_path: Path) -> None:
    env = {k: v for k, v in PROD_REQUIRED.items() if k != "EMAIL_URL"}
    result = _django("", env, tmp_path)
    assert result.returncode != 0
    assert "EMAIL_URL is not set" in result.stderr


def test_deploy_check_warns_when_e_mail_is_only_printed_or_two_factor_is_off(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in PROD_REQUIRED.items() if k != "EMAIL_URL"}
    env["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    env["TWO_FACTOR_REQUIRED"] = "0"
    result = _deploy_check(env, tmp_path)
    found = set(re.findall(r"\((signin\.\w+)\)", result.stdout + result.stderr))
    assert found == {"signin.W001", "signin.W002"}, result.stdout + result.stderr
