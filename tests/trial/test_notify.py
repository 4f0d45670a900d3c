"""Each allocation is e-mailed to the research team after commit, once (through the outbox)."""

from __future__ import annotations

import pytest
from django.core import mail

from common.models import OutboxMessage
from common.services import Outcome, outbox_send
from common.tasks import outbox_send_task
from trial.models import AllocationNotice

from .support import claim, make_trial


@pytest.mark.django_db
def test_an_allocation_is_emailed_after_commit_and_only_once(
    django_capture_on_commit_callbacks,
) -> None:
    trial = make_trial(research_email="research@uni.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        allocation = claim(trial, 1)
    assert mail.outbox == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()  # the commit happens: the outbox's task runs (eagerly in tests)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["research@uni.example"]
    assert "CARA-0001" in message.subject
    assert allocation.arm.name in message.body
    assert allocation.row_hash in message.body
    row = OutboxMessage.objects.get(kind="trial.allocation_notice")
    assert row.context == {"allocation": allocation.pk}  # ids only, never the arm
    outbox_send_task.delay(row.pk)  # a retried or duplicated task
    assert outbox_send(message_id=row.pk) == Outcome.NOT_CLAIMED
    assert len(mail.outbox) == 1
    assert AllocationNotice.objects.get(allocation=allocation).recipient == "research@uni.example"


@pytest.mark.django_db
def test_without_a_research_address_nothing_is_queued(django_capture_on_commit_callbacks) -> None:
    trial = make_trial()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        allocation = claim(trial, 1)
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not AllocationNotice.objects.filter(allocation=allocation).exists()
    assert mail.outbox == []
