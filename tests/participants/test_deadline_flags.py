"""The officer's case list flags workshop deadlines that have passed or come within 14 days."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from common.models import User
from participants.models import Participant
from participants.selectors import deadline_q, deadline_state
from tests.support.cases import enrolled
from trial.models import Trial

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("days", "state"), [(-1, "overdue"), (0, "due soon"), (14, "due soon"), (15, ""), (None, "")]
)
def test_the_flag_turns_at_the_deadline_and_fourteen_days_before(
    days: int | None, state: str
) -> None:
    day = None if days is None else TODAY + datetime.timedelta(days=days)
    assert deadline_state(day, TODAY) == state


def test_the_case_list_shows_the_flag_in_words_for_workshop_men(
    client: Client, trial: Trial, officer: User
) -> None:
    cases = [enrolled(trial, officer, number) for number in range(1, 7)]
    men = [c for c in cases if c.allocation and c.allocation.arm.is_intervention]
    assert men, "six enrolments include the workshop arm"
    Participant.objects.filter(pk=men[0].pk).update(
        workshop_deadline=TODAY - datetime.timedelta(days=3)
    )
    client.force_login(officer)
    page = client.get("/officer/").content.decode()
    assert '<span class="badge text-bg-danger" data-testid="deadline-flag">Overdue</span>' in page
    overdue = Participant.objects.filter(deadline_q("overdue", TODAY), trial=trial)
    assert list(overdue.values_list("pk", flat=True)) == [men[0].pk]
