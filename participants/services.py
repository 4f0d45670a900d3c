"""Writes: screening, victim consent and its withdrawal, enrolment (which randomises).

Each service runs in one transaction with its audit event; audit details hold trial IDs and codes,
never personal data. Double submissions are answered from the form's one-time token: replaying a
token returns what the first request made, and constraints catch any race the locks miss.
The services live in modules by subject; this module gathers them for callers and holds the
audit of looks at personal data.
"""

from __future__ import annotations

from collections.abc import Iterable

from common.models import User
from common.services import audit_record
from participants.consent import ConsentInput, VictimInput, consent_record, consent_withdraw
from participants.enrolment import participant_enrol, strata_of
from participants.models import Participant
from participants.screening import ScreeningInput, screening_record

__all__ = [
    "ConsentInput",
    "ScreeningInput",
    "VictimInput",
    "consent_record",
    "consent_withdraw",
    "participant_enrol",
    "personal_data_listed",
    "personal_data_viewed",
    "screening_record",
    "strata_of",
]


def personal_data_viewed(*, participant: Participant, by: User, what: str) -> None:
    """Record that a user looked at a case's personal data (what: a page name, no data)."""
    audit_record(
        actor=by,
        action="participant.view",
        obj=participant,
        participant=participant.pseudonym,
        page=what,
    )


def personal_data_listed(*, participants: Iterable[Participant], by: User, what: str) -> None:
    """Record that a user saw a list of cases' names (what: a page name); trial IDs only."""
    shown = sorted({p.pseudonym for p in participants})
    if shown:
        audit_record(
            actor=by,
            action="participant.view_list",
            object_type=Participant._meta.label,
            participants=shown,
            page=what,
        )
