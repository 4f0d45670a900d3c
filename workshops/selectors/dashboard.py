"""Fill the officer dashboard's "breach to act on" bucket: open breaches, passed deadlines."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from participants.selectors import ENROLLED, Bucket, bucket_register
from workshops.models import Breach, BreachStatus
from workshops.selectors.schedule import past_deadline_condition

if TYPE_CHECKING:
    from trial.models import Trial


def _to_act_on(today: datetime.date, trials: Iterable[Trial]) -> Q:
    # Exists, not a join: a man with two breaches must still count once in every bucket.
    open_breach = Q(
        Exists(Breach.objects.filter(participant=OuterRef("pk"), status=BreachStatus.OPEN))
    )
    return open_breach | past_deadline_condition(today)


def register_breach_bucket() -> None:
    """Replace the placeholder bucket: an open breach, or a deadline passed undecided."""
    bucket_register(
        Bucket(
            "breach",
            "Breach to act on",
            _to_act_on,
            "A missed workshop without accepted reason, or the deadline passed before he "
            "finished: decide.",
            # A breach or a deadline belongs to an enrolled man: only those rows are counted.
            statuses=ENROLLED,
        )
    )
