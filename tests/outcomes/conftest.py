"""Follow-up tests keep quarantined files and uploads in a temporary MEDIA_ROOT; `endpoint` is a
real HTTP server on 127.0.0.1 scripted by the test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.outcomes.support import Endpoint


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


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
