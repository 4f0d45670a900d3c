"""The life of a case: its allowed status changes, and what is forgotten when it closes."""

from __future__ import annotations

from common.exceptions import NotAllowedError
from common.transitions import Transitions
from participants.models import OFFENDER_PERSONAL, CaseStatus, Participant

# Allowed status changes of a case; None is "not yet recorded".
TRANSITIONS: Transitions[str] = Transitions(
    {
        None: {CaseStatus.SCREENED, CaseStatus.INELIGIBLE},
        CaseStatus.SCREENED: {CaseStatus.CONSENTED, CaseStatus.DECLINED, CaseStatus.INELIGIBLE},
        CaseStatus.CONSENTED: {CaseStatus.ENROLLED, CaseStatus.DECLINED},
        CaseStatus.INELIGIBLE: set(),
        CaseStatus.DECLINED: set(),
        # Enrolled is final: a withdrawal of consent keeps the participant in the analysis.
        CaseStatus.ENROLLED: set(),
    },
    statuses=CaseStatus,
    initial=True,
)


# What a correction of the screening answers may do (only before enrolment): reopen a case
# closed by a mis-clicked answer, or close one that should never have been eligible.
CORRECTIONS: Transitions[str] = Transitions(
    {
        None: set(),
        CaseStatus.SCREENED: {CaseStatus.SCREENED, CaseStatus.INELIGIBLE},
        CaseStatus.INELIGIBLE: {CaseStatus.SCREENED, CaseStatus.INELIGIBLE},
        CaseStatus.CONSENTED: {CaseStatus.CONSENTED, CaseStatus.INELIGIBLE},
        CaseStatus.DECLINED: set(),
        CaseStatus.ENROLLED: set(),
    },
    statuses=CaseStatus,
    initial=True,
)


def check_transition(
    participant: Participant, to_status: str, table: Transitions[str] = TRANSITIONS
) -> None:
    """Refuse a status change the transition table does not allow."""
    current = participant.status or None
    label = CaseStatus(current).label.lower() if current else "new"
    table.check(
        current,
        to_status,
        lambda: NotAllowedError(
            f"{participant.pseudonym} is {label}: it cannot become "
            f"{CaseStatus(to_status).label.lower()}."
        ),
    )


def minimise(participant: Participant) -> None:
    """Forget the personal data of a case that will never be enrolled (data minimisation)."""
    for field in OFFENDER_PERSONAL:
        setattr(participant, field, None)
