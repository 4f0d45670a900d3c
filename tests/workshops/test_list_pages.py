"""The counsellor's queue and the breach list page by keyset: every man once, either way."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from common.models import User
from participants.models import Participant
from workshops import officer_views, views
from workshops.models import Booking, Breach, Cycle
from workshops.services import booking_create, breach_decide

from .conftest import TODAY
from .test_breaches import no_show

Man = Callable[..., Participant]
WEEK = datetime.timedelta(days=7)


def rows(page: str, table: str) -> list[str]:
    """The trial IDs in one table of a page, in order."""
    found = re.search(rf'data-testid="{table}">(.*?)</table>', page, re.S)
    return re.findall(r">([A-Z]+-\d{4})<", found[1]) if found else []


def link(page: str, param: str, way: str) -> str | None:
    found = re.search(rf'data-testid="{param}-{way}" href="([^"]*)"', page)
    return html.unescape(found[1]) if found else None


def walk(client: Client, url: str, table: str, param: str) -> tuple[list[list[str]], list[str]]:
    """Follow "Next" to the end, then "Previous" back: the pages forward, the pages' pages."""
    forward, page = [], client.get(url).content.decode()
    while True:
        forward.append(rows(page, table))
        after = link(page, param, "next")
        if after is None:
            break
        page = client.get(url.split("?")[0] + after).content.decode()
    back = [forward[-1]]
    while (before := link(page, param, "previous")) is not None:
        page = client.get(url.split("?")[0] + before).content.decode()
        back.append(rows(page, table))
    return forward, [man for shown in reversed(back) for man in shown]


def set_deadline(man: Participant, day: datetime.date | None) -> None:
    # Arranged directly: men enrolled before deadlines were kept have none, and a passed deadline
    # would otherwise take weeks of the clock.
    Participant.objects.filter(pk=man.pk).update(workshop_deadline=day)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(officer_views, "PAGE_SIZE", 2)


def test_the_queue_pages_every_man_once_deadline_first_and_the_undated_last(
    small_pages: None, workshop_man: Man, counsellor: User, client: Client
) -> None:
    men = [workshop_man() for _ in range(5)]
    days = [TODAY + 3 * WEEK, None, TODAY + WEEK, TODAY + WEEK, None]
    for man, day in zip(men, days, strict=True):
        set_deadline(man, day)
    past = [workshop_man() for _ in range(3)]
    for man in past:
        set_deadline(man, TODAY - WEEK)
    client.force_login(counsellor)
    url = reverse("workshops:dashboard")
    forward, back = walk(client, url, "queue-rows", "queue")
    by_id = {man.pseudonym: man for man in men}
    expected = [men[2], men[3], men[0], men[1], men[4]]  # ties and the undated by their number
    assert [by_id[p] for shown in forward for p in shown] == expected
    assert [len(shown) for shown in forward] == [2, 2, 1]
    assert [by_id[p] for p in back] == expected
    first = client.get(url).content.decode()
    assert "5 waiting, 2 on this page." in first
    assert sorted(rows(first, "past-deadline")) == sorted(m.pseudonym for m in past[:2])
    # Paging one list keeps the other where it was, and the cursor names nobody.
    after = link(first, "past", "next")
    assert after is not None
    assert "queue=" not in after
    second = client.get(url + after).content.decode()
    assert rows(second, "past-deadline") == [past[2].pseudonym]
    assert rows(second, "queue-rows") == rows(first, "queue-rows")
    queue_next = link(second, "queue", "next")
    assert queue_next is not None
    assert "past=" in queue_next
    assert not any(str(m.family_name) in queue_next for m in men)


def test_the_breach_list_pages_decided_breaches_and_past_deadlines_every_row_once(
    small_pages: None,
    workshop_man: Man,
    make_cycle: Callable[..., Cycle],
    counsellor: User,
    officer: User,
    client: Client,
) -> None:
    cycle = make_cycle(TODAY + WEEK)
    men = [workshop_man() for _ in range(5)]
    for man in men:
        booking_create(participant=man, cycle=cycle, by=counsellor)
        no_show(Booking.objects.get(participant=man, part=1), counsellor)
        breach_decide(
            breach=Breach.objects.get(participant=man), outcome="prosecution", note="", by=officer
        )
    late = [workshop_man() for _ in range(3)]
    for man in late:
        set_deadline(man, TODAY - WEEK)
    client.force_login(officer)
    url = reverse("breaches:list")
    forward, back = walk(client, url, "decided-breaches", "decided")
    newest_first = [man.pseudonym for man in reversed(men)]
    assert [p for shown in forward for p in shown] == newest_first
    assert back == newest_first
    forward, back = walk(client, url, "past-deadline", "past")
    assert [p for shown in forward for p in shown] == [m.pseudonym for m in late]
    assert back == [m.pseudonym for m in late]
