"""One transition-table helper serves the four state machines, and refuses an incomplete table."""

from __future__ import annotations

import pytest
from django.db import models

from common.exceptions import NotAllowedError
from common.transitions import Transitions
from participants.services.case_status import TRANSITIONS as CASE
from reports.models import TRANSITIONS as RUN
from trial.services import TRANSITIONS as TRIAL
from workshops.models import BOOKING_TRANSITIONS as BOOKING


class Light(models.TextChoices):
    RED = "red"
    GREEN = "green"


def test_the_four_machines_share_the_helper() -> None:
    assert all(isinstance(table, Transitions) for table in (CASE, RUN, TRIAL, BOOKING))
    assert CASE.allows(None, "screened")
    assert not BOOKING.allows("attended", "missed")


def test_a_table_must_name_every_status_and_no_other() -> None:
    with pytest.raises(ValueError, match="missing=\\['green'\\]"):
        Transitions({Light.RED: set()}, statuses=Light)
    with pytest.raises(ValueError, match="unknown=\\['amber'\\]"):
        Transitions[str]({Light.RED: {"amber"}, Light.GREEN: set()}, statuses=Light)


def test_check_raises_the_machines_own_refusal() -> None:
    lights = Transitions({Light.RED: {Light.GREEN}, Light.GREEN: set()}, statuses=Light)
    lights.check(Light.RED, Light.GREEN, lambda: NotAllowedError("never"))
    with pytest.raises(NotAllowedError, match="stays green"):
        lights.check(Light.GREEN, Light.RED, lambda: NotAllowedError("It stays green."))
