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


@pytest.fixture
def catalogue(transactional_db: None) -> None:
    """Reload the shipped catalogue: transactional tests empty the tables its migration filled."""
    from outcomes.models import HarmIndexVersion
    from outcomes.services import harm_index_load

    if not HarmIndexVersion.objects.filter(name="CCHI-2020-DA").exists():
        shipped = Path(__file__).resolve().parents[2] / "outcomes" / "data" / "harm-index-da.csv"
        harm_index_load(path=shipped, version="CCHI-2020-DA", by=None)
