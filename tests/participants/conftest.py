"""Fixtures of the participants tests: a recruiting trial over two areas, officers."""

from __future__ import annotations

import pytest

from tests.support import fixtures
from tests.support.roles import roles_restore

# A recruiting trial over two areas with an officer in each (tests/support/fixtures.py).
area, other_area, trial = fixtures.area, fixtures.other_area, fixtures.trial
officer, other_officer = fixtures.officer, fixtures.other_officer


@pytest.fixture
def committed(transactional_db: None) -> None:
    """For tests whose data must really commit (threads, a live server)."""
    roles_restore()
