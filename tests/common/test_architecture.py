"""The one-door rules are checked by `make lint`: breaking one fails it.

Each test copies the apps to a folder, makes one deliberate mistake there, and runs the same
checker `make lint` runs: import-linter's contracts (pyproject.toml) and lint/writes.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "common",
    "config",
    "trial",
    "participants",
    "workshops",
    "outcomes",
    "reports",
    "demo",
    "signin",
    "privacy",
    "oversight",
    "plans",
    "api",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for name in [*PACKAGES, "lint"]:
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _run(tree: Path, *command: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree), "DJANGO_TESTING": "1"}
    return subprocess.run(
        command, cwd=tree, env=environment, capture_output=True, text=True, timeout=300
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


@pytest.mark.smoke
def test_the_contracts_hold_and_a_view_importing_another_apps_model_breaks_them(
    tmp_path: Path,
) -> None:
    tree = _copy(tmp_path)
    kept = _run(tree, str(LINT_IMPORTS), "--no-cache")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "0 broken" in kept.stdout

    _append(tree / "reports" / "views.py", "from participants.models import Participant  # noqa")
    broken = _run(tree, str(LINT_IMPORTS), "--no-cache")
    assert broken.returncode != 0
    assert "One door: an app is reached through its services and selectors BROKEN" in broken.stdout
    assert "reports.views -> participants.models" in broken.stdout


@pytest.mark.smoke
def test_a_write_outside_a_services_package_fails_the_lint(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    clean = _run(tree, sys.executable, "lint/writes.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    _append(
        tree / "reports" / "views.py",
        "def sneak(run: ReportRun) -> None:\n    ReportRun.objects.filter(pk=run.pk).delete()",
    )
    caught = _run(tree, sys.executable, "lint/writes.py")
    assert caught.returncode == 1
    assert "reports/views.py" in caught.stdout
    assert "a write outside services" in caught.stdout
