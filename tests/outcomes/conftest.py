"""Follow-up tests keep quarantined files and uploads in a temporary MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTCOMES_QUARANTINE_DIR = tmp_path / "media" / "outcomes" / "quarantine"
    return tmp_path / "media"
