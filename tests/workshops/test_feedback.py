"""The questionnaire after part 2, and the percentages agreeing that the reports print."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from common.exceptions import ConflictError, NotAllowedError
from common.models import User
from participants.models import Participant
from workshops.models import Booking, Cycle
from workshops.selectors import ITEMS, feedback_summary
from workshops.services import attendance_record, booking_create, feedback_record

from .conftest import TODAY


def completed(man: Participant, cycle: Cycle, counsellor: User) -> Participant:
    booking_create(participant=man, cycle=cycle, by=counsellor)
    for booking in Booking.objects.filter(participant=man).select_related("session"):
        attendance_record(
            booking=booking,
            attendance="attended",
            by=counsellor,
            at=booking.session.ends_at,
        )
    return man


def answers(first: int, second: int) -> dict[str, int]:
    return {item.code: 3 for item in ITEMS} | {ITEMS[0].code: first, ITEMS[1].code: second}


def test_feedback_is_recorded_after_part_2_once_and_summarised_as_percent_agreeing(
    make_cycle: Callable[..., Cycle],
    workshop_man: Callable[..., Participant],
    counsellor: User,
    client: Client,
) -> None:
    cycle = make_cycle(TODAY + datetime.timedelta(days=7))
    men = [completed(workshop_man(), cycle, counsellor) for _ in range(4)]
    client.force_login(counsellor)
    form = {item.code: "3" for item in ITEMS} | {ITEMS[0].code: "5", ITEMS[1].code: "4"}
    response = client.post(
        reverse("workshops:feedback", args=[men[0].pk]), form | {"comments": "Eye-opening"}
    )
    assert response.status_code == 302
    for man, scores in zip(men[1:], [(4, 5), (2, 4), (1, 3)], strict=True):
        feedback_record(participant=man, answers=answers(*scores), comments="", by=counsellor)
    summary = {s.code: s for s in feedback_summary(cycle.trial)}
    assert summary["attitude_to_partner"].percent_agreeing == 50.0
    assert summary["relationship_issues"].percent_agreeing == 75.0
    assert summary["relationship_issues"].answered == 4
    with pytest.raises(ConflictError):
        feedback_record(participant=men[0], answers=answers(5, 5), comments="", by=counsellor)


def test_feedback_before_part_2_is_refused(
    make_cycle: Callable[..., Cycle], workshop_man: Callable[..., Participant], counsellor: User
) -> None:
    man = workshop_man()
    booking_create(participant=man, cycle=make_cycle(), by=counsellor)
    with pytest.raises(NotAllowedError, match="has not attended part 2"):
        feedback_record(participant=man, answers=answers(5, 5), comments="", by=counsellor)
