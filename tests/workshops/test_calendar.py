"""The calendar: month and week grids with fill levels, and the subscribable .ics feed."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from common.models import User
from participants.models import Participant
from trial.models import Trial
from workshops.models import CalendarToken, Cycle
from workshops.services import (
    booking_create,
    calendar_token_create,
    calendar_token_revoke,
    session_cancel,
)

from .conftest import TODAY, part


@pytest.fixture
def cycle(
    make_cycle: Callable[..., Cycle], workshop_man: Callable[..., Participant], counsellor: User
) -> Cycle:
    made = make_cycle(TODAY + datetime.timedelta(days=3))
    booking_create(participant=workshop_man(), cycle=made, by=counsellor)
    return made


def test_the_ics_feed_parses_back_with_the_sessions_and_no_names(
    client: Client, counsellor: User, cycle: Cycle
) -> None:
    session_cancel(session=part(cycle, 2), reason="Venue closed", by=counsellor)
    token = calendar_token_create(user=counsellor)
    assert not CalendarToken.objects.filter(token_hash=token).exists()  # stored hashed
    response = client.get(reverse("workshops:calendar_feed", args=[token]))  # no login
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(events) == 2
    first, second = sorted(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart") == part(cycle, 1).starts_at
    assert first.decoded("dtend") - first.decoded("dtstart") == datetime.timedelta(hours=5)
    assert str(first["summary"]) == "CARA workshop part 1 (cycle 1)"
    assert str(first["location"]) == "Hampton Trust, Fareham"
    assert str(first["description"]) == "1 of 8 places booked."
    assert str(second["status"]) == "CANCELLED"
    assert b"Marsh" not in response.content
    assert b"Daniel" not in response.content


@pytest.mark.parametrize("how", ["revoked", "replaced", "made up"])
def test_a_revoked_replaced_or_unknown_token_gives_404(
    client: Client, counsellor: User, cycle: Cycle, how: str
) -> None:
    token = calendar_token_create(user=counsellor)
    if how == "revoked":
        calendar_token_revoke(user=counsellor)
    elif how == "replaced":
        calendar_token_create(user=counsellor)
    else:
        token = "not-a-token"
    assert client.get(reverse("workshops:calendar_feed", args=[token])).status_code == 404


def test_the_feed_page_shows_the_new_address_once_and_revokes_it(
    client: Client, counsellor: User, trial: Trial
) -> None:
    # The counsellor holds the role in the trial: without a trial there is no role to hold.
    client.force_login(counsellor)
    page = client.post(reverse("workshops:calendar_feed_settings"), {"action": "create"})
    url = page.context["new_url"]
    assert "/counsellor/calendar/feed/" in url
    client.post(reverse("workshops:calendar_feed_settings"), {"action": "revoke"})
    client.logout()
    assert client.get(url).status_code == 404


def test_month_and_week_views_show_the_fill_level(
    client: Client, counsellor: User, cycle: Cycle
) -> None:
    client.force_login(counsellor)
    day = timezone.localtime(part(cycle, 1).starts_at).date()
    month = client.get(reverse("workshops:calendar"), {"month": f"{day:%Y-%m}"})
    assert "1/8" in month.content.decode()
    week = client.get(reverse("workshops:calendar_week"), {"week": day.isoformat()})
    html = week.content.decode()
    assert "1/8" in html
    assert "Hampton Trust, Fareham" in html
    # htmx navigation receives the grid alone.
    partial = client.get(
        reverse("workshops:calendar_week"),
        {"week": day.isoformat()},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in partial.content.decode()
    assert 'data-testid="calendar-week"' in partial.content.decode()


@pytest.mark.parametrize(
    ("view", "param", "value"),
    [
        ("workshops:calendar", "month", "9999-12"),
        ("workshops:calendar", "month", "0001-01"),
        ("workshops:calendar_week", "week", "9999-12-31"),
        ("workshops:calendar_week", "week", "0001-01-01"),
        ("workshops:calendar", "month", "<script>"),
    ],
)
def test_a_month_or_week_at_the_ends_of_time_shows_this_one_instead_of_failing(
    client: Client, counsellor: User, trial: Trial, view: str, param: str, value: str
) -> None:
    client.force_login(counsellor)
    response = client.get(reverse(view), {param: value})
    assert response.status_code == 200
    assert f"{TODAY:%Y}" in response.content.decode()
