"""Each role's daily pages in Chromium, with axe-core (WCAG 2.0-2.2 A and AA) on every page.

The world is the permission matrix's: two trials made through the services, with a man in each
arm, a cycle with a booking and a breach, a finished report and a refused upload. Every page a
journey reaches must have no critical or serious axe violation; the officer's screening,
consent and enrolment are done with the keyboard alone.
"""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from playwright.sync_api import Page, expect

from common.identifiers import make_pnc
from common.models import Provider, User
from common.roles import Role
from participants.models import Participant
from reports.models import ReportRun
from tests.permissions import world as world_module
from tests.permissions.world import TODAY, World, build
from tests.support.axe import AXE, assert_accessible
from tests.support.browser import sign_in
from tests.support.factories import grant
from tests.support.keyboard import (
    choose_option,
    choose_radio,
    focused,
    tab_to,
    tab_to_control,
    tab_to_field,
    type_date,
    type_into,
)
from tests.support.roles import roles_restore
from trial.models import Trial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YELLOW = "rgb(255, 221, 0)"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """British dates in the date fields (typed day, month, year) and a laptop's screen."""
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


def _no_report(trial: Trial, officer: User, provider: Provider) -> ReportRun:
    """No report (an unsaved run): only the researcher's journey needs one, and its PDF takes
    seconds to render."""
    return ReportRun(trial=trial)


def _make(settings: Any, tmp_path: Path, monkeypatch: Any, *, report: bool) -> World:
    roles_restore()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OUTCOMES_QUARANTINE_DIR = tmp_path / "media" / "outcomes" / "quarantine"
    # A fast hasher: the world's fourteen users would take seconds each time with the real one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The world numbers its men from 1 for their birth years: from 1 again in each new world.
    monkeypatch.setattr(world_module, "_numbers", itertools.count(1))
    if not report:
        monkeypatch.setattr(world_module, "_report", _no_report)
    # One transaction, as in the matrix's test: the tasks queued after commit (the upload's
    # import, the e-mails) then run once the world is whole, not halfway through its making.
    with transaction.atomic():
        return build(Path(settings.OUTCOMES_DROP_ROOT))


@pytest.fixture
def world(settings: Any, tmp_path: Path, monkeypatch: Any) -> World:
    return _make(settings, tmp_path, monkeypatch, report=False)


@pytest.fixture
def world_with_report(settings: Any, tmp_path: Path, monkeypatch: Any) -> World:
    return _make(settings, tmp_path, monkeypatch, report=True)


def actor(world: World, key: str) -> User:
    user = {a.key: a.user for a in world.actors}[key]
    assert user is not None
    return user


class Journey:
    """One signed-in user's walk: every page it opens is checked by axe."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.seen: list[str] = []

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        assert_accessible(self.page, self.seen)

    def visit(self, name: str, **kwargs: Any) -> None:
        query = kwargs.pop("query", "")
        response = self.page.goto(f"{self.base}{reverse(name, kwargs=kwargs or None)}{query}")
        assert response is not None, name
        assert response.status == 200, (name, response.status)
        self.check()


def start(page: Page, live_server: Any, user: User) -> Journey:
    sign_in(page, live_server.url, user)
    journey = Journey(page, live_server.url)
    journey.check()  # the role's dashboard
    return journey


def test_the_vendored_axe_is_there_with_its_licence() -> None:
    assert AXE.stat().st_size > 100_000
    assert "Mozilla Public" in (AXE.parent / "LICENSE").read_text()


def test_public_pages(live_server: Any, page: Page) -> None:
    journey = Journey(page, live_server.url)
    journey.visit("login")
    journey.visit("password_reset")
    journey.visit("accessibility")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for Trial manager"
    )
    expect(page.get_by_test_id("known-issues")).to_be_visible()
    expect(page.get_by_test_id("how-tested")).to_contain_text("axe")


def test_officer_screens_consents_and_enrols_with_the_keyboard_alone(
    live_server: Any, page: Page, world: World
) -> None:
    journey = start(page, live_server, actor(world, "officer-A-a1"))

    # The first Tab reaches the skip link, then the menu: its focus is yellow on the blue bar.
    page.keyboard.press("Tab")
    assert (focused(page) or {})["text"] == "Skip to main content"
    link = tab_to(page, lambda el: el["text"] == "Trial manager", "the menu's first link")
    assert link["tag"] == "a"
    assert page.evaluate("() => getComputedStyle(document.activeElement).backgroundColor") == YELLOW

    tab_to_control(page, "Screen a new case")
    page.keyboard.press("Enter")
    page.wait_for_url("**/officer/screen/")
    journey.check()
    type_into(page, "custody_reference", "44/04242/26")
    type_into(page, "given_name", "Keaton")
    type_into(page, "family_name", "Tabbs")
    type_date(page, "date_of_birth", TODAY.replace(year=TODAY.year - 30, day=1))
    choose_radio(page, "sex", "male")
    type_into(page, "pnc_id", make_pnc(15, 424242))
    choose_radio(page, "interpreter_needed", "no")
    choose_radio(page, "appropriate_adult_needed", "no")
    choose_option(page, "offence_type", "Common assault or battery")
    type_date(page, "offence_date", TODAY - datetime.timedelta(days=3))
    type_date(page, "arrest_date", TODAY - datetime.timedelta(days=2))
    choose_option(page, "admission", "Admitted the offence")
    choose_radio(page, "first_domestic_offence", "yes")
    choose_radio(page, "dash_risk", "standard")
    choose_radio(page, "on_bail_or_order", "no")
    choose_option(page, "victim_relationship", "Current intimate partner")
    choose_radio(page, "caution_offered", "yes")
    tab_to_control(page, "Record screening and check eligibility")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/officer/cases/\d+/$"))
    journey.check()
    expect(page.get_by_test_id("eligibility")).to_contain_text("Eligible")
    screened = int(re.findall(r"/officer/cases/(\d+)/$", page.url)[0])
    journey.visit("participants:correct", pk=screened)  # the answers, to correct with a reason
    expect(page.get_by_label("Why are the answers corrected?")).to_be_visible()
    journey.visit("participants:case", pk=screened)

    tab_to_control(page, "Record the victim's contact and decision")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/consent/$"))
    journey.check()
    type_into(page, "given_name", "Sally")
    choose_radio(page, "contacted", "yes")
    type_date(page, "contacted_on", TODAY)
    choose_radio(page, "risk_raised", "no")
    choose_radio(page, "decision", "given")
    choose_option(page, "method", "By telephone")
    tab_to_control(page, "Record the victim's decision")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/officer/cases/\d+/$"))
    expect(page.get_by_test_id("status")).to_have_text("Ready to enrol")
    journey.check()

    tab_to_control(page, "Enrol and randomise")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/randomised/$"))
    journey.check()
    expect(page.get_by_test_id("arm")).to_be_visible()

    # The enrolled CARA man of the world: his case (with "Victim withdrew consent"), breaches.
    journey.visit("participants:case", pk=world.a.man.case.pk)
    expect(page.get_by_role("link", name="Victim withdrew consent")).to_be_visible()
    journey.visit("participants:withdraw", pk=world.a.man.case.pk)
    journey.visit("participants:safety_event", pk=world.a.man.case.pk)  # victim-safety record
    journey.visit("participants:conditions", pk=world.a.man.case.pk)  # the printed conditions
    journey.visit("breaches:list")
    journey.visit("breaches:detail", pk=world.a.breach.pk)
    # His deadline passes: the breach page offers an extension; the deadline page a decision.
    Participant.objects.filter(pk=world.a.man.case.pk).update(
        workshop_deadline=TODAY - datetime.timedelta(days=1)
    )
    journey.visit("breaches:detail", pk=world.a.breach.pk)
    expect(page.get_by_text("Extend his deadline").first).to_be_visible()
    journey.visit("breaches:deadline", pk=world.a.man.case.pk)
    journey.visit("participants:dashboard")
    print(f"officer: {len(journey.seen)} pages checked")


def test_the_case_table_at_a_phones_width(live_server: Any, page: Page, world: World) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    journey = start(page, live_server, actor(world, "officer-A-a1"))
    table = page.get_by_test_id("cases")
    expect(table).to_be_visible()
    # The page itself does not scroll sideways: only the table does, inside it.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for name in ("Arm", "Workshop deadline"):
        header = table.get_by_role("columnheader", name=name)
        header.scroll_into_view_if_needed()
        box = header.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= 390, (name, box)
    journey.check()
    journey.visit("breaches:list")  # a table without a wrapper: it scrolls itself
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    display = "() => getComputedStyle(document.querySelector('main table.table')).display"
    assert page.evaluate(display) == "block"
    # ...and stays a table with headers for a screen reader (Chromium's own accessibility tree).
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    roles = {node.get("role", {}).get("value") for node in tree["nodes"]}
    assert {"table", "columnheader", "cell"} <= roles, roles
    journey.check()


def test_counsellor_pages(live_server: Any, page: Page, world: World) -> None:
    journey = start(page, live_server, actor(world, "counsellor-A-P1"))
    journey.visit("workshops:calendar")  # this month, with days of the months either side
    journey.visit("workshops:calendar_week")
    journey.visit("workshops:participant", pk=world.a.man.case.pk)
    journey.visit("workshops:cycle", pk=world.a.cycle.pk)
    journey.visit("workshops:session", pk=world.a.session.pk)
    journey.visit("workshops:feedback", pk=world.a.man.case.pk)
    journey.visit("workshops:cycle_new")
    journey.visit("workshops:calendar_feed_settings")


def test_researcher_pages(live_server: Any, page: Page, world_with_report: World) -> None:
    world = world_with_report
    journey = start(page, live_server, actor(world, "researcher-A"))
    journey.visit("reports:run", pk=world.a.run.pk)
    journey.visit("trial:balance", code=world.a.trial.code)
    journey.visit("plans:plan", code=world.a.trial.code)  # read only for a researcher


def test_data_monitoring_committee_pages(
    live_server: Any, page: Page, world_with_report: World
) -> None:
    world = world_with_report
    journey = start(page, live_server, actor(world, "dmc-A"))
    journey.visit("reports:run", pk=world.a.run.pk)


def test_trial_manager_pages(live_server: Any, page: Page, world: World) -> None:
    manager = actor(world, "manager-A")
    grant(manager, Role.TRIAL_MANAGER, world.b.trial)  # two trials: the menu shows the picker
    journey = start(page, live_server, manager)
    tab_to_field(page, "trial")
    style = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert style == YELLOW, style
    code = world.a.trial.code
    for name in ("detail", "settings", "design", "balance", "corrections", "sequence"):
        journey.visit(f"trial:{name}", code=code)
    journey.visit("plans:plan", code=code)  # the plan form, with its error summary on a bad save
    page.get_by_role("button", name=re.compile("Save", re.I)).first.click()
    journey.check()
    journey.visit("trial:new")
    journey.visit("people:list")
    journey.visit("people:detail", pk=world.a.person.pk)
    journey.visit("people:invite")
    journey.visit("api:service_tokens")
    journey.visit("participants:case_list")
    journey.visit("participants:case", pk=world.a.man.case.pk)
    journey.visit("workshops:deliveries")
    journey.visit("privacy:audit")
    journey.visit("oversight:quality")


def test_data_manager_pages(live_server: Any, page: Page, world: World) -> None:
    journey = start(page, live_server, actor(world, "datamanager-A"))
    journey.visit("outcomes:enter")


def test_national_coordinator_pages(live_server: Any, page: Page, world: World) -> None:
    journey = start(page, live_server, actor(world, "coordinator-A"))
    journey.visit("oversight:quality")


def test_data_protection_officer_pages(live_server: Any, page: Page, world: World) -> None:
    journey = start(page, live_server, actor(world, "dpo"))
    journey.visit("privacy:audit", query=f"?person={world.a.man.case.pseudonym}")
    journey.visit("privacy:subject_access")
    # A case that does not exist: the error summary and the field's message are checked too.
    page.get_by_label("Trial ID or custody reference").fill("NOBODY-0000")
    page.get_by_role("button", name=re.compile("Download|Export|Find", re.I)).first.click()
    journey.check()
    expect(page.locator(".error-summary, [data-testid=error-summary]").first).to_be_visible()
