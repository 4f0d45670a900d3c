"""Reads of victim-safety events: a case's list for its officers, counts for the reports."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from participants.models import SafetyEvent
from participants.selectors.cases import AnyUser, case_check

if TYPE_CHECKING:
    from participants.models import Participant
    from trial.models import Trial


def safety_events(*, user: AnyUser, participant: Participant) -> QuerySet[SafetyEvent]:
    """Return the case's victim-safety events, newest first, for those who may open the case."""
    case_check(user=user, participant=participant)
    return SafetyEvent.objects.filter(participant=participant).order_by("-occurred_on", "-id")


def safety_event_counts(*, trial: Trial, by: datetime.date) -> Counter[str]:
    """Return the number of victim-safety events per trial ID that happened on or before `by`.

    Counts only, never notes: the reports see trial IDs, not what the victim told the officer.
    """
    rows = (
        SafetyEvent.objects.filter(participant__trial=trial, occurred_on__lte=by)
        .values("participant__pseudonym")
        .annotate(n=Count("id"))
        .values_list("participant__pseudonym", "n")
    )
    return Counter({str(key): int(n) for key, n in rows})
