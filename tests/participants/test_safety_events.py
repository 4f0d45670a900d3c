"""Victim-safety events: officers of the case record them, nobody else; notes unreadable at rest."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client

from common.exceptions import DomainError, NotAllowedError
from common.models import AuditEvent, PoliceArea, User
from common.roles import Role
from demo.participants import demo_participants_load
from demo.safety import demo_safety_events_load
from participants.models import SafetyEvent, SafetyEventKind
from participants.services import safety_event_record, trial_cases_erase
from tests.support.cases import TODAY, enrolled
from tests.support.factories import make_trial, make_user
from trial.models import Trial

NOTES = "She said he came to the house at night and shouted through the letterbox."


def test_an_officer_records_an_event_on_a_randomised_case(trial: Trial, officer: User) -> None:
    case = enrolled(trial, officer)
    event = safety_event_record(
        actor=officer,
        participant=case,
        occurred_on=TODAY,
        kind=SafetyEventKind.POLICE_CALL_OUT,
        notes=NOTES,
    )
    event.refresh_from_db()
    assert event.notes == NOTES
    assert event.recorded_by == officer
    audit = AuditEvent.objects.get(action="participant.safety_event_record")
    assert audit.detail["participant"] == case.pseudonym
    assert "letterbox" not in str(audit.detail)  # the audit trail never holds the notes


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.RESEARCHER])
def test_a_counsellor_or_researcher_cannot_record_one(
    trial: Trial, officer: User, role: Role
) -> None:
    case = enrolled(trial, officer)
    someone = make_user(role, trial=trial)
    with pytest.raises(NotAllowedError):
        safety_event_record(
            actor=someone, participant=case, occurred_on=TODAY, kind=SafetyEventKind.OTHER
        )
    assert not SafetyEvent.objects.exists()


def test_another_trials_officer_cannot_record_one(trial: Trial, officer: User) -> None:
    case = enrolled(trial, officer)
    elsewhere = make_trial("WMP", title="Another force's trial")
    stranger = make_user(Role.OFFICER, police_area=officer.police_area, trial=elsewhere)
    with pytest.raises(NotAllowedError, match="another area or trial"):
        safety_event_record(
            actor=stranger, participant=case, occurred_on=TODAY, kind=SafetyEventKind.OTHER
        )


def test_a_future_date_or_one_before_randomisation_is_refused_naming_the_field(
    trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    for day, words in (
        (TODAY + datetime.timedelta(days=1), "in the future"),
        (TODAY - datetime.timedelta(days=1), "before randomisation"),
    ):
        with pytest.raises(DomainError, match=words) as caught:
            safety_event_record(
                actor=officer, participant=case, occurred_on=day, kind=SafetyEventKind.OTHER
            )
        assert caught.value.field == "occurred_on"
    assert not SafetyEvent.objects.exists()


def test_the_notes_are_not_in_the_raw_column(trial: Trial, officer: User) -> None:
    case = enrolled(trial, officer)
    event = safety_event_record(
        actor=officer,
        participant=case,
        occurred_on=TODAY,
        kind=SafetyEventKind.THREAT_REPORTED,
        notes=NOTES,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM participants_safetyevent WHERE id = %s", [event.pk])
        raw = cursor.fetchone()[0]
    assert raw
    assert "letterbox" not in raw
    assert "house" not in raw


def test_the_case_page_links_the_form_and_lists_the_events(
    client: Client, trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    client.force_login(officer)
    page = client.get(f"/officer/cases/{case.pk}/").content.decode()
    assert f"/officer/cases/{case.pk}/safety/" in page
    assert "None recorded since randomisation." in page
    form = client.get(f"/officer/cases/{case.pk}/safety/").content.decode()
    assert "novalidate" in form
    tomorrow = TODAY + datetime.timedelta(days=1)
    refused = client.post(
        f"/officer/cases/{case.pk}/safety/",
        {"occurred_on": tomorrow.isoformat(), "kind": "order_breach", "notes": ""},
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'data-testid="error-summary"' in text
    assert "The date of the event is in the future." in text
    missing = client.post(f"/officer/cases/{case.pk}/safety/", {}).content.decode()
    assert "Enter the date of the event" in missing
    assert "Choose what happened" in missing
    response = client.post(
        f"/officer/cases/{case.pk}/safety/",
        {"occurred_on": TODAY.isoformat(), "kind": "order_breach", "notes": NOTES},
        follow=True,
    )
    page = response.content.decode()
    assert "The victim-safety event is recorded." in page
    assert "Breach of a protective order" in page
    assert "letterbox" in page


def test_the_demo_records_a_few_events_in_both_arms_once(
    trial: Trial, area: PoliceArea, other_area: PoliceArea
) -> None:
    manager = make_user(Role.TRIAL_MANAGER, trial=trial)
    areas = [area, other_area]
    demo_participants_load(trial=trial, areas=areas, manager=manager, cases=60)
    first = demo_safety_events_load(trial=trial, manager=manager)
    assert demo_safety_events_load(trial=trial, manager=manager) == first == 8
    arms = set()
    for event in SafetyEvent.objects.select_related("participant__allocation__arm"):
        allocation = event.participant.allocation
        assert allocation is not None
        arms.add(allocation.arm.is_intervention)
        assert allocation.randomised_on <= event.occurred_on <= TODAY
    assert arms == {True, False}


def test_erasing_the_trials_personal_data_removes_the_notes_and_keeps_the_event(
    trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    event = safety_event_record(
        actor=officer, participant=case, occurred_on=TODAY, kind="order_breach", notes=NOTES
    )
    assert trial_cases_erase(trial=trial, by=None)["safety_notes"] == 1
    event.refresh_from_db()
    assert event.notes is None
    assert (event.kind, event.occurred_on) == ("order_breach", TODAY)
