"""Erasure removes a closed trial's personal data and keeps its analysis, chains and audit whole."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from common.models import AuditEvent
from outcomes.models import ReoffenceRecord
from outcomes.services import record_enter
from participants.models import Participant, Victim
from participants.selectors import pseudonymised_rows
from privacy.tasks import erasure_due_task, erasures_due_task
from tests.reports.support import LiveTrial, live_trial
from trial.models import Allocation, Trial, TrialStatus
from trial.services import trial_transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home_trial")]


def _closed(live: LiveTrial) -> Trial:
    for status in (TrialStatus.RECRUITMENT_CLOSED, TrialStatus.FOLLOW_UP, TrialStatus.CLOSED):
        trial_transition(trial=live.trial, to_status=status, by=None)
    return Trial.objects.get(pk=live.trial.pk)


def _trial_with_data() -> LiveTrial:
    live = live_trial()
    for _ in range(3):
        live.enrol()
    case = live.cases[0]
    allocation = case.allocation
    assert allocation is not None
    record_enter(
        trial=live.trial,
        values={
            "record_id": "R-1",
            "person_id": case.pnc_id or "",
            "offence_date": (allocation.randomised_on + datetime.timedelta(days=40)).isoformat(),
            "offence_code": "046/00",
            "victim_relationship": "same_partner",
            "record_status": "charge",
        },
        by=None,
    )
    return live


def test_an_open_trial_is_refused_and_keeps_everything() -> None:
    live = _trial_with_data()
    with pytest.raises(CommandError, match="recruiting: personal data are erased only after"):
        call_command("erase_personal_data", "--trial", live.trial.code)
    assert Participant.objects.exclude(given_name=None).count() == 3


def test_erasure_before_retention_ends_needs_a_reason_then_removes_the_personal_data() -> None:
    live = _trial_with_data()
    trial = _closed(live)
    assert trial.closed_on == timezone.localdate()
    before = list(pseudonymised_rows(trial=trial))
    allocations = list(Allocation.objects.order_by("id").values())
    with pytest.raises(CommandError, match=r"retention period ends on .*: give a reason"):
        call_command("erase_personal_data", "--trial", trial.code)
    call_command("erase_personal_data", "--trial", trial.code, "--early-reason", "court order")

    for case in Participant.objects.filter(trial=trial):
        assert (case.given_name, case.family_name, case.date_of_birth, case.pnc_id) == (
            None,
            None,
            None,
            None,
        )
        assert (case.phone, case.email, case.address, case.custody_reference) == (
            None,
            None,
            None,
            "",
        )
    assert not Victim.objects.exclude(given_name=None).exists()
    assert set(ReoffenceRecord.objects.values_list("person_identifier", flat=True)) == {""}
    # What the analysis reads is unchanged, and both chains still verify.
    assert list(pseudonymised_rows(trial=trial)) == before
    assert list(Allocation.objects.order_by("id").values()) == allocations
    call_command("verify_allocations", "--trial", trial.code)
    call_command("verify_audit")
    event = AuditEvent.objects.get(action="personal_data.erase")
    assert event.detail["erased"]["cases"] == 3
    assert event.detail["erased"]["records"] == 1
    assert "victims" in event.detail["kinds"]
    assert AuditEvent.objects.get(action="trial.erasure").detail["early_reason"] == "court order"
    with connection.cursor() as cursor:
        cursor.execute("SELECT detail FROM common_auditevent")
        logged = " ".join(str(row[0]) for row in cursor.fetchall())
    first = live.cases[0]
    for value in ("Daniel", "Marsh", str(first.pnc_id), first.custody_reference):
        assert value not in logged
    with pytest.raises(CommandError, match="already erased"):
        call_command("erase_personal_data", "--trial", trial.code, "--early-reason", "again")


def test_the_nightly_job_erases_a_trial_whose_retention_has_ended() -> None:
    live = _trial_with_data()
    trial = _closed(live)
    assert erasures_due_task.delay().get() == []
    Trial.objects.filter(pk=trial.pk).update(closed_on=datetime.date(2019, 1, 31))
    trial.refresh_from_db()
    assert trial.retention_months == 72
    assert erasures_due_task.delay().get() == [trial.pk]  # one erasure task per trial
    assert erasure_due_task.delay(trial.pk).get() == {}  # run again: already done
    assert not Participant.objects.filter(trial=trial).exclude(pnc_id=None).exists()
    assert AuditEvent.objects.get(action="trial.erasure").actor is None
