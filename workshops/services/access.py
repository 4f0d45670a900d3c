"""Who may change a cycle's schedule and registers, or a man's bookings and feedback.

A counsellor acts in the trials where they hold the role, on their own provider's cycles and on
the men their provider books or is queued for. `by=None` is a command or task (the demo, a
migration) and passes; so does a superuser, who holds every role in every trial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.exceptions import NotAllowedError
from common.memberships import holds, membership_check
from common.models import User
from common.roles import Role
from workshops.selectors import provider_serves

if TYPE_CHECKING:
    from participants.models import Participant
    from workshops.models import Cycle


def provider_check(by: User | None) -> None:
    """Refuse a counsellor whose account names no workshop provider."""
    if by is not None and not by.is_superuser and by.provider_id is None:
        raise NotAllowedError(
            "Your account belongs to no workshop provider: ask a trial manager to set it."
        )


def cycle_check(by: User | None, cycle: Cycle) -> None:
    """Refuse anyone but a counsellor of the cycle's trial who works for its provider."""
    if by is None:
        return
    membership_check(by, cycle.trial, Role.COUNSELLOR)
    provider_check(by)
    if not by.is_superuser and by.provider_id != cycle.provider_id:
        raise NotAllowedError(
            f"Cycle {cycle.number} is run by {cycle.provider}: only its counsellors may change it."
        )


def man_check(by: User | None, man: Participant) -> None:
    """Refuse anyone but a counsellor of his trial whose provider books or is queued for him."""
    if by is None:
        return
    membership_check(by, man.trial, Role.COUNSELLOR)
    provider_check(by)
    # Arm and enrolment are the booking rules' to refuse, with their own reasons.
    if not by.is_superuser and not provider_serves(user=by, participant=man):
        raise NotAllowedError(
            f"{man.pseudonym} is not booked with or queued for your provider.", field=None
        )


def officer_check(by: User, man: Participant) -> None:
    """Refuse anyone but a case officer of his area in his trial, or a manager of his trial."""
    same_area = holds(by, Role.OFFICER, man.trial_id) and by.police_area_id == man.police_area_id
    if not (same_area or holds(by, Role.TRIAL_MANAGER, man.trial_id)):
        raise NotAllowedError(
            "Only a case officer of his police area in his trial can decide this."
        )
