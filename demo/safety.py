"""Demo victim-safety events: a handful across both arms, as officers would record them."""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from common.models import User
from participants.selectors import SafetyEventKind, enrolled_participants, safety_event_counts
from participants.services import safety_event_record

if TYPE_CHECKING:
    from trial.models import Trial

# (kind, notes): what officers wrote after a call-out or a victim's call; no names.
EVENTS = (
    (SafetyEventKind.POLICE_CALL_OUT, "Neighbour called 999 after shouting; no offence found."),
    (SafetyEventKind.THREAT_REPORTED, "Victim reported threatening text messages."),
    (SafetyEventKind.ORDER_BREACH, "Seen outside her workplace despite the non-contact order."),
    (SafetyEventKind.POLICE_CALL_OUT, "Argument over child contact at handover; words of advice."),
    (SafetyEventKind.THREAT_REPORTED, "Victim told her IDVA he had threatened to take the car."),
    (SafetyEventKind.OTHER, "Victim asked for a safety review after he moved nearby."),
    (SafetyEventKind.POLICE_CALL_OUT, "Call-out to the address; both parties calm on arrival."),
    (SafetyEventKind.ORDER_BREACH, "Phoned her twice in breach of the order; reported to CPS."),
)


def demo_safety_events_load(*, trial: Trial, manager: User, seed: int = 20260916) -> int:
    """Record the demo's victim-safety events once; return how many the trial holds."""
    today = timezone.localdate()
    existing = safety_event_counts(trial=trial, by=today)
    if existing:
        return sum(existing.values())
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    # Men randomised at least three months ago, so each event falls inside his follow-up.
    cases = [
        case
        for case in enrolled_participants(trial=trial)
        if case.allocation is not None
        and case.allocation.randomised_on <= today - datetime.timedelta(days=90)
    ]
    workshops = [c for c in cases if c.allocation and c.allocation.arm.is_intervention]
    control = [c for c in cases if c.allocation and not c.allocation.arm.is_intervention]
    # Both arms get events, control a few more (the published trial's direction of harm).
    chosen = rng.sample(workshops, min(3, len(workshops))) + rng.sample(
        control, min(5, len(control))
    )
    for (kind, notes), case in zip(EVENTS, chosen, strict=False):
        assert case.allocation is not None
        start = case.allocation.randomised_on
        span = min((today - start).days, 300)
        safety_event_record(
            actor=manager,
            participant=case,
            occurred_on=start + datetime.timedelta(days=rng.randint(14, span)),
            kind=kind,
            notes=notes,
        )
    return len(chosen)
