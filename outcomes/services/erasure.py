"""Erasing the PNC IDs that a closed trial's re-offence records carry.

The records keep their person key, offence date, code and allocation: snapshots, reports and the
follow-up analysis are unchanged; the identifier that names the man goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from common.models import User
from common.services import audit_record
from outcomes.models import ReoffenceRecord

if TYPE_CHECKING:
    from trial.models import Trial


@transaction.atomic
def trial_record_identifiers_erase(*, trial: Trial, by: User | None) -> dict[str, int]:
    """Blank the PNC ID of every re-offence record of the trial's sources."""
    counts = {
        "records": ReoffenceRecord.objects.filter(source__trial=trial).update(person_identifier="")
    }
    audit_record(actor=by, action="records.erase", obj=trial, trial=trial.code, erased=counts)
    return counts
