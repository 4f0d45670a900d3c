"""The case list's Next and Previous links: every case of a bucket once, and no name in the URL."""

from __future__ import annotations

import html
import re

from django.test import Client

from common.models import User
from participants.models import CaseStatus, Participant
from tests.participants.test_dashboard_queries import add_cases
from tests.support.cases import enrolled
from trial.models import Trial


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return f"/officer/{html.unescape(found.group(1))}" if found else None


def test_the_pages_of_a_bucket_show_each_of_its_cases_once_and_lead_back(
    client: Client, trial: Trial, officer: User
) -> None:
    enrolled(trial, officer, 1)
    add_cases(trial, officer, 90, 100)  # 60 screened, 30 ineligible
    client.force_login(officer)
    path: str | None = "/officer/?bucket=screened"
    seen, visited = [], []
    while path:
        response = client.get(path)
        page = response.content.decode()
        visited.append(path)
        seen += [case.pk for case in response.context["page"].object_list]
        path = link(page, "next")
    screened = Participant.objects.filter(trial=trial, status=CaseStatus.SCREENED)
    assert sorted(seen) == sorted(screened.values_list("pk", flat=True))
    assert len(seen) == 60
    assert len(visited) == 3
    assert all("bucket=screened" in path for path in visited)
    back = link(client.get(visited[-1]).content.decode(), "prev")
    assert back is not None
    assert (
        client.get(back).context["page"].object_list
        == client.get(visited[1]).context["page"].object_list
    )
    assert "60 cases, 25 on this page." in client.get(visited[0]).content.decode()
    case = Participant.objects.get(trial=trial, number=1)
    for path in visited:
        assert str(case.family_name) not in path
        assert "CARA-" not in path  # no trial ID or custody reference either


def test_a_search_keeps_its_text_and_a_broken_cursor_gives_the_first_page(
    client: Client, trial: Trial, officer: User
) -> None:
    enrolled(trial, officer, 1)
    add_cases(trial, officer, 3, 100)
    client.force_login(officer)
    found = client.get("/officer/", {"q": "CARA-0101", "cursor": "not-a-cursor"})
    assert [case.number for case in found.context["page"].object_list] == [101]
    first = client.get("/officer/").context["page"].object_list
    assert client.get("/officer/?cursor=forged").context["page"].object_list == first
