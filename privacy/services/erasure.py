"""Erasure of a closed trial's personal data, all of it in one transaction, logged once.

Kept: trial IDs, screening facts, allocations and their chains, workshop attendance, offence
records' dates and codes, snapshots, reports and the audit trail, all still verifiable.
Erased: names, contacts, dates of birth, PNC IDs, custody references, victims' details, and
what people wrote (reasons, notes, comments). The log says what kinds and how many, never a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from common.models import User
from common.services import audit_record
from outcomes.services import trial_record_identifiers_erase
from participants.services import trial_cases_erase
from trial.selectors import trials_due_for_erasure
from trial.services import trial_erasure_begin
from workshops.services import trial_workshop_notes_erase

if TYPE_CHECKING:
    from trial.models import Trial


@transaction.atomic
def personal_data_erase(*, trial: Trial, by: User | None, early_reason: str = "") -> dict[str, int]:
    """Erase a closed trial's personal data; return how many of each kind were erased."""
    locked = trial_erasure_begin(trial=trial, by=by, early_reason=early_reason)
    counts = trial_cases_erase(trial=locked, by=by)
    counts |= trial_workshop_notes_erase(trial=locked, by=by)
    counts |= trial_record_identifiers_erase(trial=locked, by=by)
    audit_record(
        actor=by,
        action="personal_data.erase",
        obj=locked,
        trial=locked.code,
        kinds=sorted(k for k, n in counts.items() if n),
        erased=counts,
    )
    return counts


def erasures_due() -> list[int]:
    """Return the ids of the closed trials whose retention period has ended (the nightly job)."""
    return [trial.pk for trial in trials_due_for_erasure(timezone.localdate())]


def erasure_due_run(*, trial_id: int) -> dict[str, int]:
    """Erase one trial's personal data if its retention has ended; else change nothing.

    Asked again (a retried task, a second worker) once the trial is erased, it does nothing.
    """
    due = [t for t in trials_due_for_erasure(timezone.localdate()) if t.pk == trial_id]
    return personal_data_erase(trial=due[0], by=None) if due else {}
