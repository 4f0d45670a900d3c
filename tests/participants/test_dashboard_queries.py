"""The dashboard stays fast as cases grow: the same number of queries for 35 cases or 435."""

from __future__ import annotations

import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from common.models import User
from participants.models import CaseStatus, Participant
from participants.services import rule_set_current
from tests.support.cases import enrolled
from trial.models import Trial


def add_cases(trial: Trial, officer: User, count: int, start: int) -> None:
    """Insert screened-log rows directly: the page, not the services, is under test here."""
    rule_set = rule_set_current(trial=trial, by=None)
    template = Participant.objects.filter(trial=trial).first()
    assert template is not None
    rows = []
    for number in range(start, start + count):
        row = Participant.objects.get(pk=template.pk)
        row.pk = None
        row.number = number
        row.pseudonym = f"CARA-{number:04d}"
        row.submission_token = uuid.uuid4()
        row.person_key = f"key-{number}"
        row.status = CaseStatus.SCREENED if number % 3 else CaseStatus.INELIGIBLE
        row.eligible = bool(number % 3)
        row.allocation = None
        row.enrol_token = None
        row.caution_given_on = row.compliance_ends_on = row.workshop_deadline = None
        row.age_at_randomisation = None
        row.rule_set = rule_set
        if row.status == CaseStatus.INELIGIBLE:
            for field in (
                "given_name",
                "family_name",
                "date_of_birth",
                "pnc_id",
                "phone",
                "email",
                "address",
                "support_needs",
            ):
                setattr(row, field, None)
        rows.append(row)
    Participant.objects.bulk_create(rows, batch_size=500)


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_dashboard_queries_do_not_grow_with_the_number_of_cases(
    client: Client, trial: Trial, officer: User
) -> None:
    for number in range(1, 6):
        enrolled(trial, officer, number)
    add_cases(trial, officer, 30, 100)
    client.force_login(officer)
    # A real sign-in leaves its marks in the session (signed in at, no second factor needed);
    # force_login does not, so the first page writes them once. Count from the second.
    first = client.get("/officer/").context["page"]
    assert first.next_cursor is not None
    second = f"/officer/?cursor={first.next_cursor}"
    small = {
        path: queries_for(client, path)
        for path in (
            "/officer/",
            "/officer/?bucket=enrolled",
            second,
            "/officer/?q=CARA-0101",
        )
    }
    add_cases(trial, officer, 400, 1000)
    large = {path: queries_for(client, path) for path in small}
    assert large == small, (small, large)
    assert max(large.values()) <= 10, large
    newest = client.get("/officer/").context["page"]
    page = client.get(f"/officer/?cursor={newest.next_cursor}").context["page"]
    assert len(page.object_list) == 25
    assert (page.count, page.count_exact) == (435, True)
    shown = newest.object_list + page.object_list
    assert len({case.pk for case in shown}) == 50  # no case twice across the pages
