"""The one change to a man's workshop deadline after enrolment: an officer's extension."""

from __future__ import annotations

import datetime

from django.db import transaction

from common.exceptions import DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from participants.models import CaseStatus, Participant
from participants.selectors.cases import case_check, participant_locked
from participants.selectors.deadlines import deadline_limit


def _day(day: datetime.date) -> str:
    return f"{day:%a %d/%m/%Y}"


def workshop_deadline_extend(
    *, participant: Participant, until: datetime.date, reason: str, by: User
) -> Participant:
    """Move a workshop-arm man's deadline later, up to his trial's legal limit, with a reason.

    The reason may name people, so the audit holds the dates only: the caller keeps the reason
    (workshops keeps it encrypted with the officer's decision).
    """
    case_check(user=by, participant=participant)
    if not reason.strip():
        raise DomainError("Say why the deadline is extended.", field="reason")
    with transaction.atomic():
        locked = participant_locked(pk=participant.pk)
        old = locked.workshop_deadline
        if locked.status != CaseStatus.ENROLLED or old is None or locked.caution_given_on is None:
            raise NotAllowedError(f"{locked.pseudonym} has no workshop deadline to extend.")
        limit = deadline_limit(locked)
        assert limit is not None  # a caution date was checked above
        if until <= old:
            raise DomainError(
                f"Choose a day after his current deadline ({_day(old)}).", field="until"
            )
        if until > limit:
            raise DomainError(
                f"The latest his deadline can be is {_day(limit)}: "
                f"{locked.trial.deadline_limit_weeks} weeks after his "
                "caution, the caution's legal limit in this trial.",
                field="until",
            )
        locked.workshop_deadline = until
        locked.save(update_fields=["workshop_deadline"])
        audit_record(
            actor=by,
            action="participant.deadline_extend",
            obj=locked,
            participant=locked.pseudonym,
            previous=old.isoformat(),
            until=until.isoformat(),
        )
    return locked
