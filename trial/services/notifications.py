"""E-mail of each allocation to the research team: their independent record of the chain."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from common.services import audit_record
from trial.models import Allocation, AllocationNotice


def allocation_notify(*, allocation_id: int) -> AllocationNotice | None:
    """E-mail one allocation to its trial's research address once; later calls do nothing."""
    with transaction.atomic():
        # Locking the allocation serialises two runs of the task for the same row.
        allocation = (
            Allocation.objects.select_for_update(of=("self",))
            .select_related("trial", "arm", "stratum")
            .get(pk=allocation_id)
        )
        existing = AllocationNotice.objects.filter(allocation=allocation).first()
        if existing is not None:
            return existing
        recipient = allocation.trial.research_email
        if not recipient:
            return None
        trial = allocation.trial
        # The row hash lets the research team check the chain against their own copy later.
        body = "\n".join(
            [
                f"Trial: {trial.code} ({trial.title})",
                f"Participant: {allocation.participant_key}",
                f"Arm: {allocation.arm.name}",
                f"Randomised on: {allocation.randomised_on:%d/%m/%Y}",
                f"Stratum: {allocation.stratum.key}",
                f"Chain position: {allocation.seq} in stratum {allocation.stratum.key}",
                f"Row hash: {allocation.row_hash}",
            ]
        )
        send_mail(
            subject=f"[{trial.code}] {allocation.participant_key}: {allocation.arm.name}",
            message=body,
            from_email=None,
            recipient_list=[recipient],
        )
        notice = AllocationNotice.objects.create(
            allocation=allocation, recipient=recipient, sent_at=timezone.now()
        )
        audit_record(
            actor=None,
            action="allocation.notify",
            obj=allocation,
            trial=trial.code,
            stratum=allocation.stratum.key,
            seq=allocation.seq,
        )
    return notice
