"""Two requests at the same moment (double click, two tabs, a retry): one case, one randomisation.

Real threads with their own database connections, committing for real: on PostgreSQL the row
locks and constraints decide; on SQLite the write transactions queue.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from common.exceptions import ConflictError
from common.models import User
from participants.models import CaseStatus, Participant
from participants.services import participant_enrol, screening_record
from tests.support.cases import TODAY, consented, screening_input
from trial.models import Allocation, Trial

pytestmark = pytest.mark.usefixtures("committed")


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_same_screening_form_posted_twice_at_once_records_one_case(
    trial: Trial, officer: User
) -> None:
    token = uuid.uuid4()
    assert officer.police_area is not None
    area = officer.police_area

    def submit() -> Participant:
        return screening_record(
            trial=trial, police_area=area, details=screening_input(), token=token, by=officer
        )

    results = race(submit, submit, submit)
    assert all(isinstance(r, Participant) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Participant.objects.count() == 1


def test_the_same_person_screened_in_two_tabs_at_once_is_one_case(
    trial: Trial, officer: User
) -> None:
    assert officer.police_area is not None
    area = officer.police_area

    def submit(number: int) -> Callable[[], Participant]:
        details = screening_input(number, pnc_id=screening_input(1).pnc_id)
        return lambda: screening_record(
            trial=trial, police_area=area, details=details, token=uuid.uuid4(), by=officer
        )

    results = race(submit(1), submit(2))
    cases = [r for r in results if isinstance(r, Participant)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert (len(cases), len(refused)) == (1, 1), results
    assert refused[0].field == "pnc_id"
    assert Participant.objects.filter(status=CaseStatus.SCREENED).count() == 1


def test_enrolling_from_two_tabs_at_once_randomises_once(trial: Trial, officer: User) -> None:
    case = consented(trial, officer)
    same = uuid.uuid4()

    def enrol(token: uuid.UUID) -> Callable[[], Participant]:
        return lambda: participant_enrol(
            participant=case, caution_given_on=TODAY, token=token, by=officer
        )

    results = race(enrol(uuid.uuid4()), enrol(uuid.uuid4()), enrol(same), enrol(same))
    enrolled = [r for r in results if isinstance(r, Participant)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(enrolled) + len(refused) == 4, results
    assert len({r.allocation_id for r in enrolled}) == 1
    assert Allocation.objects.count() == 1
    trial.refresh_from_db()
    assert trial.chain_length == 1
