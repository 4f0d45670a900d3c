"""The audit page finds every event about a case, downloads with their why, and pages fast."""

from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from common.models import AuditEvent, User
from common.roles import Role
from common.services import audit_record
from reports.services import report_build, report_request
from tests.reports.conftest import outcomes_trial
from tests.reports.support import CUT
from tests.support.factories import make_user
from tests.support.signin import confirm_sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("home_trial")]
WHY = {"purpose": "dmc_interim", "recipient": "the DMC", "justification": "March meeting"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    confirm_sign_in(client)
    return client


def _search(client: Client, **filters: str) -> tuple[str, str]:
    """Post the search form as a user would; return (the URL it lands on, the page)."""
    posted = client.post(reverse("privacy:audit"), filters)
    assert posted.status_code == 302, posted.content.decode()
    page = client.get(posted["Location"])
    assert page.status_code == 200
    return posted["Location"], page.content.decode()


def test_a_trial_id_search_lists_every_event_about_the_case_with_downloads_and_why() -> None:
    live = outcomes_trial(per_arm=2)
    case = live.cases[0]
    officer = _client(live.officer)
    assert officer.get(reverse("participants:case", args=[case.pk])).status_code == 200
    researcher = make_user(Role.RESEARCHER, username="rita")
    live.trial.status = "closed"  # a researcher's unblinded report is a final one
    live.trial.save(update_fields=["status"])
    run = report_build(
        run=report_request(
            trial=live.trial,
            window_months=12,
            data_cut=CUT,
            report_type="final",
            blinded=False,
            by=researcher,
            queue=False,
        )
    )
    download = _client(researcher).post(reverse("reports:dataset", args=[run.pk]), WHY)
    assert download["Content-Type"] == "application/zip"

    manager = _client(make_user(Role.TRIAL_MANAGER))
    url, page = _search(manager, person=case.pseudonym.lower())
    assert parse_qs(urlsplit(url).query)["person"] == [case.pseudonym]
    shown = set(AuditEvent.objects.filter(subject=case.pseudonym).values_list("action", flat=True))
    assert {
        "participant.screen",
        "participant.consent",
        "participant.enrol",
        "allocation.claim",
        "participant.view",
    } <= shown
    for action in shown | {"disclosure.report_dataset"}:
        assert f"<code>{action}</code>" in page
    assert "Interim analysis for the data monitoring committee; to the DMC: “March meeting”" in page
    other = live.cases[1].pseudonym
    assert f"<td>{other}</td>" not in page  # another man's own events are not listed


def test_a_custody_reference_is_resolved_and_never_put_in_the_url() -> None:
    live = outcomes_trial(per_arm=1)
    case = live.cases[0]
    url, page = _search(
        _client(make_user(Role.DATA_PROTECTION_OFFICER)), person=case.custody_reference.lower()
    )
    assert case.custody_reference not in url
    assert parse_qs(urlsplit(url).query)["person"] == [case.pseudonym]
    assert "<code>participant.enrol</code>" in page
    unknown = _client(make_user(Role.DATA_PROTECTION_OFFICER)).post(
        reverse("privacy:audit"), {"person": "99/99999/99"}
    )
    assert unknown.status_code == 400
    assert "No case has this trial ID or custody reference." in unknown.content.decode()


def test_pages_of_one_case_hold_every_event_once_newest_first() -> None:
    for i in range(120):
        audit_record(actor=None, action="participant.view", participant="CARA-0001", page=i)
    audit_record(actor=None, action="participant.view", participant="CARA-0002")
    audit_record(
        actor=None, action="participant.view_list", participants=["CARA-0001", "CARA-0003"]
    )
    client = _client(make_user(Role.DATA_PROTECTION_OFFICER))
    url = reverse("privacy:audit") + "?person=CARA-0001"
    seen: list[int] = []
    while url:
        page = client.get(url).content.decode()
        seen += [int(pk) for pk in re.findall(r'<tr data-testid="audit-(\d+)">', page)]
        older = re.search(r'href="(\?[^"]*after=[^"]*)">Older<', page)
        url = reverse("privacy:audit") + html.unescape(older[1]) if older else ""
    expected = list(
        AuditEvent.objects.filter(subject="CARA-0001").values_list("id", flat=True)
    ) + list(AuditEvent.objects.filter(action="participant.view_list").values_list("id", flat=True))
    assert len(seen) == 121
    assert sorted(seen) == sorted(expected)
    assert seen == sorted(seen, reverse=True)


def test_older_then_newer_pages_show_each_event_once_and_the_cursor_is_signed() -> None:
    for i in range(120):  # two case kinds: the page merges the case's own and its mentions
        audit_record(actor=None, action="participant.view", participant="CARA-0001", page=i)
        if i % 40 == 0:
            audit_record(actor=None, action="participant.view_list", participants=["CARA-0001"])
    client = _client(make_user(Role.DATA_PROTECTION_OFFICER))
    base = reverse("privacy:audit")

    def follow(page: str, label: str) -> str | None:
        found = re.search(rf'href="(\?[^"]*)">{label}<', page)
        return client.get(base + html.unescape(found[1])).content.decode() if found else None

    def shown(page: str) -> list[int]:
        return [int(pk) for pk in re.findall(r'<tr data-testid="audit-(\d+)">', page)]

    pages = [client.get(base + "?person=CARA-0001").content.decode()]
    assert "Newer<" not in pages[0]
    while (older := follow(pages[-1], "Older")) is not None:
        pages.append(older)
    forward = [shown(page) for page in pages]
    assert [len(ids) for ids in forward] == [50, 50, 23]
    back = [forward[-1]]
    page: str | None = pages[-1]
    while page is not None and (page := follow(page, "Newer")) is not None:
        back.append(shown(page))
    assert list(reversed(back)) == forward
    everything = [pk for ids in forward for pk in ids]
    assert everything == sorted(set(everything), reverse=True)
    older_link = re.search(r'href="\?[^"]*after=([^"&]*)', pages[0])
    assert older_link is not None
    tampered = client.get(base + "?person=CARA-0001&after=" + older_link[1][:-3] + "xyz")
    assert shown(tampered.content.decode()) == forward[0]  # a changed cursor: the newest page


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.COUNSELLOR, Role.RESEARCHER, Role.DATA_MANAGER]
)
def test_other_roles_cannot_open_the_audit_pages(role: Role) -> None:
    client = _client(make_user(role))
    for name in ("privacy:audit", "privacy:subject_access"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("privacy:audit_export"), {"purpose": "audit"}).status_code == 403
    assert client.post(reverse("privacy:verify")).status_code == 403


def test_the_csv_export_asks_why_and_is_itself_logged() -> None:
    audit_record(actor=None, action="participant.view", participant="CARA-0001")
    audit_record(actor=None, action="participant.view", participant="CARA-0002")
    dpo = make_user(Role.DATA_PROTECTION_OFFICER, username="dora")
    client = _client(dpo)
    refused = client.post(reverse("privacy:audit_export"), {"person": "CARA-0001"})
    assert refused.status_code == 302
    assert not AuditEvent.objects.filter(action="disclosure.audit_export").exists()
    response = client.post(
        reverse("privacy:audit_export"),
        {"person": "CARA-0001", "purpose": "audit", "recipient": "ICO"},
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # The export is about the case too, so it is the newest row of its own file.
    assert [(r["action"], r["case"]) for r in rows] == [
        ("disclosure.audit_export", ""),
        ("participant.view", "CARA-0001"),
    ]
    logged = AuditEvent.objects.get(action="disclosure.audit_export")
    assert logged.actor == dpo
    assert logged.detail["recipient"] == "ICO"
    assert list(logged.mentions.values_list("subject", flat=True)) == ["CARA-0001"]


def test_the_page_shows_the_last_verification_and_a_manager_can_run_one() -> None:
    audit_record(actor=None, action="participant.view", participant="CARA-0001")
    manager = _client(make_user(Role.TRIAL_MANAGER))
    assert "has not been verified yet" in manager.get(reverse("privacy:audit")).content.decode()
    page = manager.post(reverse("privacy:verify"), follow=True).content.decode()
    assert "The audit trail is intact" in page
    assert "Intact</span> last verified" in page
    dpo = _client(make_user(Role.DATA_PROTECTION_OFFICER))
    assert "Verify now" not in dpo.get(reverse("privacy:audit")).content.decode()


def test_only_disclosures_lists_every_kind_and_nothing_else() -> None:
    from common.services import disclosure_record

    for kind in ("report_pdf", "subject_access", "audit_export"):
        disclosure_record(
            actor=None, kind=kind, purpose="audit", recipient="ICO", participant="CARA-0001"
        )
    audit_record(actor=None, action="sequence.export", trial="CARA", reason="offline check")
    audit_record(actor=None, action="participant.view", participant="CARA-0001")
    client = _client(make_user(Role.DATA_PROTECTION_OFFICER))
    page = client.get(reverse("privacy:audit") + "?disclosures=on").content.decode()
    assert len(re.findall(r'<tr data-testid="audit-\d+">', page)) == 4
    assert "<code>participant.view</code>" not in page
    one = client.get(reverse("privacy:audit") + "?disclosures=on&person=CARA-0001")
    assert len(re.findall(r'<tr data-testid="audit-\d+">', one.content.decode())) == 3


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.COUNSELLOR, Role.RESEARCHER, Role.DATA_PROTECTION_OFFICER]
)
def test_other_roles_cannot_read_a_kept_extract(role: Role) -> None:
    # The data manager's new download of a kept (encrypted) extract: another role gets 403
    # before any run is looked up.
    response = _client(make_user(role)).get(reverse("outcomes:kept_extract", args=[1]))
    assert response.status_code == 403
