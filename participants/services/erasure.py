"""Erasing a closed trial's personal data from its cases: what the retention rule removes.

Names, contacts, dates of birth, PNC IDs, custody references and free text go; the trial ID,
the screening facts, the allocation and the person key (a keyed hash the allocation chain
holds) stay, so the pseudonymised analysis and the chains remain whole and verifiable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from common.models import User
from common.services import audit_record
from participants.models import (
    OFFENDER_PERSONAL,
    VICTIM_PERSONAL,
    Consent,
    Participant,
    SafetyEvent,
    ScreeningCorrection,
    Victim,
)

if TYPE_CHECKING:
    from trial.models import Trial


@transaction.atomic
def trial_cases_erase(*, trial: Trial, by: User | None) -> dict[str, int]:
    """Erase the personal data of every case of the trial; return counts by kind."""
    cases = Participant.objects.filter(trial=trial)
    counts = {
        "cases": cases.update(custody_reference="", **dict.fromkeys(OFFENDER_PERSONAL)),
        "victims": Victim.objects.filter(participant__trial=trial).update(
            **dict.fromkeys(VICTIM_PERSONAL)
        ),
        # A withdrawal keeps its date and an empty reason (its constraint wants a reason).
        "consent_notes": Consent.objects.filter(participant__trial=trial)
        .exclude(withdrawal_reason=None)
        .update(withdrawal_reason=""),
        # The reasons for screening corrections are free text too; the changed names stay.
        "correction_notes": ScreeningCorrection.objects.filter(participant__trial=trial).update(
            reason=""
        ),
        # Victim-safety notes describe the victim: erased; the dated, typed event stays (harms).
        "safety_notes": SafetyEvent.objects.filter(participant__trial=trial)
        .exclude(notes=None)
        .update(notes=None),
    }
    audit_record(actor=by, action="participants.erase", obj=trial, trial=trial.code, erased=counts)
    return counts
