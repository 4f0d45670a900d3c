"""Each allocation is e-mailed to the research team after commit, once."""

from __future__ import annotations

import pytest
from django.core import mail

from trial.models import AllocationNotice
from trial.services import allocation_notify
from trial.tasks import allocation_notify_task

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
    callbacks[0]()  # the commit happens: the task runs (eagerly in tests)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["research@uni.example"]
    assert "CARA-0001" in message.subject
    assert allocation.arm.name in message.body
    assert allocation.row_hash in message.body
    allocation_notify_task.delay(allocation.pk)  # a retried or duplicated task
    assert len(mail.outbox) == 1
    assert AllocationNotice.objects.get(allocation=allocation).recipient == "research@uni.example"


@pytest.mark.django_db
def test_without_a_research_address_nothing_is_queued(django_capture_on_commit_callbacks) -> None:
    trial = make_trial()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        allocation = claim(trial, 1)
    assert callbacks == []
    assert allocation_notify(allocation_id=allocation.pk) is None
    assert mail.outbox == []
