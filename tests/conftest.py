"""Fixtures shared by every test: users per role, the browser launch settings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings

from common.models import User
from common.roles import Role
from tests.support.factories import EVERY_TRIAL, make_trial, make_user
from trial.models import Trial

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium: Playwright cannot download its own browser here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def page(page: Any, settings: Any) -> Iterator[Any]:
    """Every browser journey: two-factor sign-in on, and no page blocked by the CSP or in error."""
    settings.TWO_FACTOR_REQUIRED = True
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    yield page
    assert refused == [], refused


@pytest.fixture(scope="session", autouse=True)
def record_source_limits(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Let record sources reach the tests' own servers and folders (and nothing else).

    Set in the environment too, so the Celery workers tests start read the same limits.
    """
    root = tmp_path_factory.getbasetemp()
    urls = ["http://127.0.0.1", "https://records.example.police.uk"]
    os.environ["OUTCOMES_DROP_ROOT"] = str(root)
    os.environ["OUTCOMES_SOURCE_URLS"] = ",".join(urls)
    django_settings.OUTCOMES_DROP_ROOT = root
    django_settings.OUTCOMES_SOURCE_URLS = urls


@pytest.fixture
def user_with_role(db: None) -> Callable[..., User]:
    """Make a user holding the given role."""
    return make_user


@pytest.fixture
def officer(db: None) -> User:
    return make_user(Role.OFFICER)


@pytest.fixture
def counsellor(db: None) -> User:
    return make_user(Role.COUNSELLOR)


@pytest.fixture
def researcher(db: None) -> User:
    return make_user(Role.RESEARCHER)


@pytest.fixture
def trial_manager(db: None) -> User:
    return make_user(Role.TRIAL_MANAGER)


@pytest.fixture
def data_manager(db: None) -> User:
    return make_user(Role.DATA_MANAGER)


@pytest.fixture(autouse=True)
def every_trial_members() -> Iterator[None]:
    """Forget the users of the last test who held their roles in every trial."""
    EVERY_TRIAL.clear()
    yield
    EVERY_TRIAL.clear()


@pytest.fixture
def home_trial(db: None) -> Trial:
    """A trial for tests about roles rather than trials: their users hold their roles in it."""
    return make_trial("HOME")
