"""load_demo refuses a database that is not in demo mode, unless forced (and then audited)."""

from __future__ import annotations

import getpass

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from common.models import AuditEvent, User


@pytest.mark.django_db
def test_load_demo_outside_demo_mode_refuses_naming_the_setting_and_loads_nothing(
    settings: Settings,
) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError) as refused:
        call_command("load_demo")
    assert "DJANGO_DEMO=1" in str(refused.value)
    assert "DEMO_MODE" in str(refused.value)
    assert "--force" in str(refused.value)
    assert not User.objects.filter(username="officer").exists()
    assert not AuditEvent.objects.filter(action__startswith="demo.").exists()


@pytest.mark.django_db
def test_load_demo_forced_for_a_training_installation_loads_and_says_who_forced_it(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DEMO_MODE = False
    call_command("load_demo", "--force", "--reason", "training day, Winchester")
    assert "username: officer" in capsys.readouterr().out
    assert User.objects.filter(username="officer").exists()
    forced = AuditEvent.objects.get(action="demo.load_forced")
    assert forced.detail["operator"] == getpass.getuser()
    assert forced.detail["reason"] == "training day, Winchester"
    assert forced.detail["command"] == "manage.py load_demo --force"
