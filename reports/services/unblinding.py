"""Who may see an interim look unblinded: a committee member of the trial, with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.exceptions import DomainError, NotAllowedError
from common.memberships import holds
from common.models import User
from common.roles import Role
from reports.models import ReportType
from trial.selectors import TrialStatus

if TYPE_CHECKING:
    from trial.models import Trial

# Long enough to say why, short enough not to be a burden ("efficacy signal on harm at look 2").
JUSTIFICATION_MIN = 20


def is_interim_look(*, trial: Trial, report_type: str) -> bool:
    """Say whether a report is an interim look: asked as interim, or before the trial closed."""
    return report_type == ReportType.INTERIM or trial.status != TrialStatus.CLOSED


def unblinding_check(
    *, trial: Trial, report_type: str, blinded: bool, by: User | None, justification: str
) -> str:
    """Refuse an unblinded interim look without the committee role and a reason; return the reason.

    None is a command or the daily task (an operator's own act, audited as such).
    """
    if blinded or by is None or not is_interim_look(trial=trial, report_type=report_type):
        return ""
    if not holds(by, Role.DATA_MONITORING_COMMITTEE, trial):
        raise NotAllowedError(
            f"An unblinded interim report of {trial.code} is for its data monitoring committee "
            "only: tick Blinded, or ask a committee member.",
            field="blinded",
        )
    reason = " ".join(justification.split())
    if len(reason) < JUSTIFICATION_MIN:
        raise DomainError(
            "Say why the committee needs the arms named (Justification for unblinding, at "
            f"least {JUSTIFICATION_MIN} characters).",
            field="justification",
            code="justification_missing",
        )
    return reason
