"""Which provider runs an area's workshops in a trial: set by the trial's manager.

The Delivery decides whose counsellors see a man before his first booking (he is queued for
them), so changing it is audited like a change of access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from common.exceptions import DomainError
from common.memberships import membership_check
from common.models import PoliceArea, Provider, User
from common.roles import Role
from common.services import audit_record
from trial.selectors import trial_locked
from workshops.models import Delivery
from workshops.selectors import trial_areas

if TYPE_CHECKING:
    from trial.models import Trial


def delivery_set(
    *, trial: Trial, police_area: PoliceArea, provider: Provider, by: User | None
) -> Delivery:
    """Name the provider that runs an area's workshops in a trial (setting it again is a no-op)."""
    membership_check(by, trial, Role.TRIAL_MANAGER)
    if not trial_areas(trial).filter(pk=police_area.pk).exists():
        raise DomainError(
            f"{police_area.name} is not taking part in trial {trial.code}.", field="police_area"
        )
    with transaction.atomic():
        trial_locked(pk=trial.pk)  # two managers setting one area are served in turn
        delivery = Delivery.objects.filter(trial=trial, police_area=police_area).first()
        before = delivery.provider.name if delivery is not None else None
        if delivery is not None and delivery.provider_id == provider.pk:
            return delivery
        if delivery is None:
            delivery = Delivery.objects.create(
                trial=trial, police_area=police_area, provider=provider
            )
        else:
            delivery.provider = provider
            delivery.save(update_fields=["provider"])
        audit_record(
            actor=by,
            action="delivery.set",
            obj=delivery,
            trial=trial.code,
            police_area=police_area.code,
            provider=provider.name,
            before=before,
        )
    return delivery
