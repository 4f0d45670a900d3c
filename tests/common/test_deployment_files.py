"""docker-compose.yml cannot be started here (no Docker engine), so it is checked by reading."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_services_the_deployment_needs() -> None:
    services = _compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "media:/srv/media" in services["web"]["volumes"]


def test_compose_uses_the_commands_and_settings_the_application_reads() -> None:
    services = _compose()["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    settings_text = (ROOT / "config" / "settings.py").read_text()
    for variable in services["web"]["environment"]:
        assert f'"{variable}"' in settings_text, f"{variable} is not read by the settings"
    example = (ROOT / ".env.example").read_text()
    for variable in re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', settings_text):
        assert variable in example, f"{variable} is missing from .env.example"


def test_the_image_installs_the_pinned_requirements() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "-r requirements/base.in -c requirements/constraints.txt" in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements/base.in -c requirements/constraints.txt" in makefile
