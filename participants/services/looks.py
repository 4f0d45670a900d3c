"""The audit of looks at personal data: who opened which case's names, and on what page."""

from __future__ import annotations

from collections.abc import Iterable

from common.models import User
from common.services import audit_record
from participants.models import Participant


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
