"""Fill the officer dashboard's "breach to act on" bucket with open workshop breaches."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from participants.selectors import Bucket, bucket_register
from workshops.models import Breach, BreachStatus

if TYPE_CHECKING:
    from trial.models import Trial


def _open_breach(today: datetime.date, trials: Iterable[Trial]) -> Q:
    # Exists, not a join: a man with two breaches must still count once in every bucket.
    return Q(Exists(Breach.objects.filter(participant=OuterRef("pk"), status=BreachStatus.OPEN)))


def register_breach_bucket() -> None:
    """Replace the placeholder bucket with the open-breach condition."""
    bucket_register(
        Bucket(
            "breach",
            "Breach to act on",
            _open_breach,
            "Missed workshops without accepted reason: decide rebook, prosecution or no action.",
        )
    )
