"""PostgreSQL's one-round-trip claim: the trial_allocation_claim function and its result.

The function (trial/migrations/0007, reading its own clock since 0009) takes the same locks and
writes the same rows, chain hash and audit event as the Python path in trial/allocation.py; see
docs/randomisation.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import connection, models

from common.models import User
from trial.models import Allocation, Arm, Slot, Trial
from trial.services.notifications import allocation_notice_queue
from trial.services.strata import stratum_key_of

# Keys the function may hash: PostgreSQL's and Python's JSON escaping agree on these.
PRINTABLE_ASCII = re.compile(r"[ -~]*")
M = TypeVar("M", bound=models.Model)


class Claimed(NamedTuple):
    """A row written by trial_allocation_claim, with the arguments it was given."""

    pk: int
    seq: int
    prev_hash: str
    row_hash: str
    stratum_id: int
    slot_id: int
    position: int
    block_number: int
    block_size: int
    arm_id: int
    arm_code: str
    arm_name: str
    arm_ratio: int
    arm_is_intervention: bool
    arm_order: int
    notify: bool
    allocated_at: datetime.datetime  # read by the function once its locks were held
    randomised_on: datetime.date
    participant_key: str
    person_key: str
    allocated_by_id: int | None

    def allocation(self, trial: Trial) -> Allocation:
        """Return the allocation as the ORM would load it, with its slot and arm."""
        arm = _loaded(
            Arm,
            id=self.arm_id,
            trial_id=trial.pk,
            code=self.arm_code,
            name=self.arm_name,
            ratio=self.arm_ratio,
            is_intervention=self.arm_is_intervention,
            order=self.arm_order,
        )
        slot = _loaded(
            Slot,
            id=self.slot_id,
            stratum_id=self.stratum_id,
            position=self.position,
            block_number=self.block_number,
            block_size=self.block_size,
            arm_id=self.arm_id,
        )
        allocation = _loaded(
            Allocation,
            id=self.pk,
            trial_id=trial.pk,
            seq=self.seq,
            participant_key=self.participant_key,
            person_key=self.person_key,
            stratum_id=self.stratum_id,
            slot_id=self.slot_id,
            imported=False,
            arm_id=self.arm_id,
            randomised_on=self.randomised_on,
            allocated_at=self.allocated_at,
            allocated_by_id=self.allocated_by_id,
            prev_hash=self.prev_hash,
            row_hash=self.row_hash,
        )
        slot.arm = allocation.arm = arm
        allocation.slot, allocation.trial = slot, trial
        return allocation


def claim_in_database(
    *,
    trial: Trial,
    participant_key: str,
    person_key: str,
    strata: Mapping[str, str],
    by: User | None,
    randomised_on: datetime.date | None,
) -> Claimed | None:
    """Claim in one round trip with PostgreSQL's trial_allocation_claim, or return None.

    None, with nothing written, means the Python path (allocation.py) must decide: not
    PostgreSQL, a key the function must not hash, a trial not recruiting, a stratum not made or
    a sequence to extend (so each refusal keeps its one wording).
    """
    if connection.vendor != "postgresql":
        return None
    if not (PRINTABLE_ASCII.fullmatch(participant_key) and PRINTABLE_ASCII.fullmatch(person_key)):
        return None
    key = stratum_key_of(strata)
    if not key:
        return None
    by_id = by.pk if by is not None and by.pk else None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM trial_allocation_claim(%s, %s, %s, %s, %s, %s, %s)",
            [trial.pk, participant_key, person_key, key, by_id, randomised_on, settings.TIME_ZONE],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    claimed = Claimed._make((*row, participant_key, person_key, by_id))
    if claimed.notify:
        # In the claim's transaction: one more insert, not a second round trip after commit.
        allocation_notice_queue(allocation_id=claimed.pk, trial_id=trial.pk, by=by)
    return claimed


def _loaded(model: type[M], **values: Any) -> M:
    """Return an instance as a query would have loaded it (every column given)."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(connection.alias, names, [values[name] for name in names])
