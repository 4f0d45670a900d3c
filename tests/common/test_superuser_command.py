"""Superusers are made only from the command line: the first one, then on a superuser's word."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from common.models import AuditEvent, User

pytestmark = pytest.mark.django_db

FIRST = "first superuser passphrase 1"
SECOND = "second superuser passphrase 2"


def _create(monkeypatch: pytest.MonkeyPatch, username: str, **options: str) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", SECOND if options else FIRST)
    call_command(
        "createsuperuser",
        username=username,
        email=f"{username}@example.police.uk",
        interactive=False,
        **options,
    )


def test_the_first_superuser_then_only_on_an_existing_ones_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _create(monkeypatch, "root")
    root = User.objects.get(username="root")
    assert root.is_superuser
    assert root.check_password(FIRST)
    event = AuditEvent.objects.get(action="user.superuser_create", object_id=str(root.pk))
    assert event.actor is None
    assert event.detail["via"].startswith("createsuperuser on ")

    with pytest.raises(CommandError, match="--by"):
        _create(monkeypatch, "intruder")
    monkeypatch.setenv("DJANGO_BY_PASSWORD", "a guess")
    with pytest.raises(CommandError, match="not a superuser with that password"):
        _create(monkeypatch, "intruder", by="root")
    assert not User.objects.filter(username="intruder").exists()

    monkeypatch.setenv("DJANGO_BY_PASSWORD", FIRST)
    _create(monkeypatch, "deputy", by="root")
    deputy = User.objects.get(username="deputy")
    event = AuditEvent.objects.get(action="user.superuser_create", object_id=str(deputy.pk))
    assert event.actor == root


def test_a_weak_password_is_refused_and_nothing_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "password")
    with pytest.raises(CommandError, match="too common"):
        call_command(
            "createsuperuser", username="root", email="root@example.org", interactive=False
        )
    assert not User.objects.exists()
