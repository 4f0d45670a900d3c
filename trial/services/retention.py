"""When a closed trial's personal data are erased (the retention rule), and the mark it leaves."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from common.exceptions import DomainError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from trial.models import Trial, TrialStatus
from trial.selectors import erasure_due_on


@transaction.atomic
def trial_erasure_begin(*, trial: Trial, by: User | None, early_reason: str = "") -> Trial:
    """Lock the trial and mark its personal data erased; refuse an open or erased trial.

    Before the retention period ends an erasure needs a reason (a court order, a request the
    force upholds); the reason is kept in the audit trail.
    """
    membership_check(by, trial, Role.TRIAL_MANAGER)
    locked = Trial.objects.select_for_update().get(pk=trial.pk)
    if locked.status != TrialStatus.CLOSED:
        raise DomainError(
            f"{locked.code} is {locked.get_status_display().lower()}: personal data are erased "
            "only after the trial closes.",
            field="trial",
        )
    if locked.personal_data_erased_at is not None:
        raise DomainError(
            f"{locked.code}'s personal data were already erased on "
            f"{timezone.localtime(locked.personal_data_erased_at):%Y-%m-%d}.",
            field="trial",
        )
    due = erasure_due_on(locked)
    if due and due > timezone.localdate() and not early_reason.strip():
        raise DomainError(
            f"{locked.code}'s retention period ends on {due:%Y-%m-%d}: give a reason to erase "
            "its personal data earlier.",
            field="reason",
        )
    locked.personal_data_erased_at = timezone.now()
    locked.save(update_fields=["personal_data_erased_at"])
    audit_record(
        actor=by,
        action="trial.erasure",
        obj=locked,
        trial=locked.code,
        due_on=due.isoformat() if due else None,
        early_reason=early_reason.strip(),
    )
    return locked
