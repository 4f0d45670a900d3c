"""The demo's screening log: real services, closed follow-up windows, stable PNC IDs."""

from __future__ import annotations

import datetime

from django.utils import timezone

from common.crypto import person_key
from common.identifiers import normalise_pnc
from common.models import PoliceArea, User
from demo.participants import demo_participants_load, demo_pnc_id
from participants.models import CaseStatus, Participant
from trial.models import Allocation, Trial


def test_demo_pnc_ids_are_valid_distinct_and_stable() -> None:
    ids = [demo_pnc_id(n) for n in range(1, 400)]
    assert len(set(ids)) == len(ids)
    assert all(normalise_pnc(pnc) == pnc for pnc in ids)
    assert demo_pnc_id(42) == demo_pnc_id(42)


def test_demo_cases_are_randomised_over_past_months_and_load_once(
    trial: Trial, area: PoliceArea, other_area: PoliceArea, trial_manager: User
) -> None:
    first = demo_participants_load(
        trial=trial, areas=[area, other_area], manager=trial_manager, cases=60
    )
    again = demo_participants_load(
        trial=trial, areas=[area, other_area], manager=trial_manager, cases=60
    )
    assert first == again
    assert Participant.objects.count() == 60
    assert Allocation.objects.count() == first.randomised > 40
    year_ago = timezone.localdate() - datetime.timedelta(days=366)
    assert Allocation.objects.filter(randomised_on__lt=year_ago).count() > 10
    enrolled = Participant.objects.filter(status=CaseStatus.ENROLLED)
    for case in enrolled:
        assert case.allocation is not None
        assert case.caution_given_on == case.allocation.randomised_on
        assert case.person_key == person_key(demo_pnc_id(case.number))
    assert Participant.objects.filter(status=CaseStatus.SCREENED).exists()  # for the officer
