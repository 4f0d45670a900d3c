"""E-mail of each allocation to the research team: their independent record of the chain.

Written to the outbox in the claim's own transaction (so a claim that rolls back tells nobody
and one that commits is told once, docs/outbox.md); rendered when it is sent, from the ids.
"""

from __future__ import annotations

from common.models import OutboxMessage, User
from common.services import Envelope, audit_record, outbox_enqueue
from trial.models import Allocation, AllocationNotice

NOTICE = "trial.allocation_notice"


def allocation_notice_queue(*, allocation_id: int, trial_id: int, by: User | None) -> None:
    """Put the research e-mail of an allocation in the outbox (in the claim's transaction)."""
    outbox_enqueue(
        kind=NOTICE,
        context={"allocation": allocation_id},
        recipients={"trial_research_address": trial_id},
        by=by,
    )


def _allocation(message: OutboxMessage) -> Allocation:
    return Allocation.objects.select_related("trial", "arm", "stratum").get(
        pk=message.context["allocation"]
    )


def compose_allocation_notice(message: OutboxMessage) -> list[Envelope]:
    """The e-mail: the allocation and its chain position, to the trial's research address."""
    allocation = _allocation(message)
    trial = allocation.trial
    if not trial.research_email or AllocationNotice.objects.filter(allocation=allocation):
        return []  # the address was removed since, or the team was told already
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
    subject = f"[{trial.code}] {allocation.participant_key}: {allocation.arm.name}"
    return [Envelope(to=[trial.research_email], subject=subject, body=body)]


def allocation_notice_sent(message: OutboxMessage) -> None:
    """Keep the record of the notice the research team was sent (after the outbox sent it)."""
    allocation = _allocation(message)
    assert message.sent_at is not None
    AllocationNotice.objects.get_or_create(
        allocation=allocation,
        defaults={"recipient": allocation.trial.research_email, "sent_at": message.sent_at},
    )
    audit_record(
        actor=None,
        action="allocation.notify",
        obj=allocation,
        trial=allocation.trial.code,
        stratum=allocation.stratum.key,
        seq=allocation.seq,
    )
