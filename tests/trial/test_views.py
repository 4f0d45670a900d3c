"""The trial pages per role: managers configure, researchers follow counts, nobody else enters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.models import AuditEvent, User
from common.roles import Role
from tests.support.factories import make_user, police_area
from tests.support.signin import confirm_sign_in
from trial.models import Allocation, PostRandomisationEvent, Stratum, Trial

from .support import claim, make_trial

MANAGER_PAGES = [
    ("trial:dashboard", {}),
    ("trial:new", {}),
    ("trial:detail", {"code": "CARA"}),
    ("trial:settings", {"code": "CARA"}),
    ("trial:design", {"code": "CARA"}),
    ("trial:corrections", {"code": "CARA"}),
    ("trial:sequence", {"code": "CARA"}),
]
BALANCE_PAGES = [("trial:balance_index", {}), ("trial:balance", {"code": "CARA"})]


def signed_in(client: Client, role: Role) -> User:
    user = make_user(role)
    client.force_login(user)
    confirm_sign_in(client)  # signed in a moment ago, so the export need not ask again
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OFFICER, Role.COUNSELLOR, Role.DATA_MANAGER])
def test_other_roles_are_refused_every_trial_page(client: Client, role: Role) -> None:
    make_trial()
    signed_in(client, role)
    for name, kwargs in MANAGER_PAGES + BALANCE_PAGES:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    assert client.post(reverse("trial:verify", kwargs={"code": "CARA"})).status_code == 403


@pytest.mark.django_db
def test_researchers_follow_the_balance_but_never_see_the_sequence(client: Client) -> None:
    trial = make_trial()
    police_area("north", "North Hampshire")
    for n in range(1, 8):
        claim(trial, n, "north" if n % 2 else "south")
    signed_in(client, Role.RESEARCHER)
    for name, kwargs in MANAGER_PAGES:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    page = client.get(reverse("trial:balance", kwargs={"code": "CARA"}))
    assert page.status_code == 200
    html = page.content.decode()
    overall = Allocation.objects.filter(trial=trial, arm__code="cara").count()
    assert f'<td class="text-end">{overall}</td>' in html
    assert "North Hampshire" in html  # the area's name, not its code
    assert "area: north" not in html
    assert "<svg" in html
    for stratum in Stratum.objects.filter(trial=trial):
        assert stratum.seed not in html
    for allocation in Allocation.objects.filter(trial=trial):
        assert allocation.person_key not in html
        assert allocation.participant_key not in html  # counts only
    assert "remaining" not in html.lower()


@pytest.mark.django_db
@pytest.mark.usefixtures("home_trial")  # a manager of one trial sets up another
def test_a_manager_creates_a_two_to_one_trial_and_takes_it_live(client: Client) -> None:
    signed_in(client, Role.TRIAL_MANAGER)
    form = {
        "code": "PILOT",
        "title": "A new trial",
        "research_email": "research@uni.example",
        "follow_up": "12, 24",
        "workshop_gap_days": 28,
        "workshop_gap_min_days": 21,
        "workshop_gap_max_days": 35,
        "cycle_interval_days": 35,
        "session_hours": "5.0",
        "session_capacity": 8,
        "compliance_weeks": 16,
        "reminder_days_before": 2,
        "design-block_multipliers": "1, 2",
        "design-strata_factors": "area: north, south",
        "arms-TOTAL_FORMS": 3,
        "arms-INITIAL_FORMS": 0,
        "arms-0-code": "workshop",
        "arms-0-name": "Workshops",
        "arms-0-ratio": 2,
        "arms-0-is_intervention": "on",
        "arms-1-code": "control",
        "arms-1-name": "Control",
        "arms-1-ratio": 1,
        "arms-2-code": "",
    }
    response = client.post(reverse("trial:new"), form)
    assert response.status_code == 302
    trial = Trial.objects.get(code="PILOT")
    assert trial.designs.get().block_sizes == [3, 6]
    assert dict(trial.arms.values_list("code", "ratio")) == {"workshop": 2, "control": 1}
    detail = client.get(reverse("trial:detail", kwargs={"code": "PILOT"})).content.decode()
    assert "Move to recruiting" in detail
    status = reverse("trial:status", kwargs={"code": "PILOT"})
    asked = client.post(status, {"to_status": "recruiting"})  # first, what it means
    assert "Officers of every force in the trial can screen and enrol" in asked.content.decode()
    trial.refresh_from_db()
    assert trial.status == "setup"
    client.post(status, {"to_status": "recruiting", "confirmed": "yes"})
    trial.refresh_from_db()
    assert trial.status == "recruiting"
    again = client.post(reverse("trial:new"), form)
    assert "A trial with code PILOT already exists." in again.content.decode()


@pytest.mark.django_db
def test_closing_recruitment_asks_first_and_names_what_stops(client: Client) -> None:
    trial = make_trial()
    signed_in(client, Role.TRIAL_MANAGER)
    url = reverse("trial:status", kwargs={"code": trial.code})
    asked = client.post(url, {"to_status": "recruitment_closed"})
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "No officer in any force can screen or enrol a new case" in page
    assert "Yes, move CARA to recruitment closed" in page
    assert 'name="to_status" value="recruitment_closed"' in page  # the choice is kept
    trial.refresh_from_db()
    assert trial.status == "recruiting"  # nothing changed yet
    client.post(url, {"to_status": "recruitment_closed", "confirmed": "yes"})
    trial.refresh_from_db()
    assert trial.status == "recruitment_closed"


@pytest.mark.django_db
def test_a_design_change_after_going_live_needs_a_reason_on_the_page(client: Client) -> None:
    make_trial()
    signed_in(client, Role.TRIAL_MANAGER)
    url = reverse("trial:design", kwargs={"code": "CARA"})
    form = {
        "design-block_multipliers": "2",
        "design-strata_factors": "area: north, south",
        "design-reason": "",
        "arms-TOTAL_FORMS": 2,
        "arms-INITIAL_FORMS": 2,
        "arms-0-code": "cara",
        "arms-0-name": "CARA workshops",
        "arms-0-ratio": 1,
        "arms-0-is_intervention": "on",
        "arms-1-code": "control",
        "arms-1-name": "Control",
        "arms-1-ratio": 1,
    }
    page = client.post(url, form)
    assert "give the reason for a new design version" in page.content.decode()
    assert Trial.objects.get(code="CARA").designs.count() == 1
    client.post(url, {**form, "design-reason": "Smaller blocks after the pilot"})
    assert Trial.objects.get(code="CARA").designs.count() == 2


@pytest.mark.django_db
def test_viewing_a_stratums_sequence_needs_a_reason_and_is_audited(client: Client) -> None:
    trial = make_trial()
    claim(trial, 1)
    manager = signed_in(client, Role.TRIAL_MANAGER)
    stratum = Stratum.objects.get(trial=trial, key="area=north")
    url = reverse("trial:sequence", kwargs={"code": "CARA"})
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="sequence"' not in page.content.decode()
    short = client.post(url, {"stratum": stratum.pk, "reason": "curious"})
    assert "Say why you need the sequence" in short.content.decode()
    assert not AuditEvent.objects.filter(action="sequence.view").exists()
    shown = client.post(url, {"stratum": stratum.pk, "reason": "Check of slot use for the DMC"})
    assert 'data-testid="sequence"' in shown.content.decode()
    event = AuditEvent.objects.get(action="sequence.view")
    assert event.actor == manager
    assert event.detail == {
        "trial": "CARA",
        "stratum": "area=north",
        "reason": "Check of slot use for the DMC",
    }
    download = client.post(
        reverse("trial:sequence_export", kwargs={"code": "CARA"}),
        {"reason": "Statistician's offline check"},
    )
    assert download["Content-Disposition"] == 'attachment; filename="CARA-sequence.json"'
    assert stratum.seed in download.content.decode()


@pytest.mark.django_db
def test_a_correction_keeps_the_allocation_and_is_listed(client: Client) -> None:
    trial = make_trial()
    allocation = claim(trial, 1)
    signed_in(client, Role.TRIAL_MANAGER)
    url = reverse("trial:corrections", kwargs={"code": "CARA"})
    missing = client.post(
        url,
        {
            "participant_key": "CARA-0404",
            "kind": "withdrawn",
            "occurred_on": timezone.localdate(),
            "reason": "Asked to leave",
        },
    )
    assert "Nobody with trial ID CARA-0404 has been randomised in CARA." in missing.content.decode()
    client.post(
        url,
        {
            "participant_key": "CARA-0001",
            "kind": "randomised_in_error",
            "occurred_on": timezone.localdate(),
            "reason": "Had a previous DA caution found later",
        },
    )
    event = PostRandomisationEvent.objects.get()
    assert event.allocation == allocation
    assert Allocation.objects.get(pk=allocation.pk).arm == allocation.arm
    assert AuditEvent.objects.filter(action="allocation.post_randomisation").exists()
    twice = client.post(
        url,
        {
            "participant_key": "CARA-0001",
            "kind": "randomised_in_error",
            "occurred_on": timezone.localdate(),
            "reason": "again",
        },
    )
    assert "already recorded as randomised in error" in twice.content.decode()
    balance = client.get(reverse("trial:balance", kwargs={"code": "CARA"})).content.decode()
    assert "Randomised in error" in balance


@pytest.mark.django_db
def test_the_dashboard_shows_the_last_verification(client: Client) -> None:
    trial = make_trial()
    claim(trial, 1)
    signed_in(client, Role.TRIAL_MANAGER)
    assert "not yet verified" in client.get(reverse("trial:dashboard")).content.decode()
    client.post(reverse("trial:verify", kwargs={"code": "CARA"}))
    html = client.get(reverse("trial:dashboard")).content.decode()
    assert "Intact" in html
    assert "1 rows" in html


@pytest.mark.django_db
def test_the_admin_is_read_only_hides_seeds_and_future_slots(client: Client) -> None:
    trial = make_trial()
    allocation = claim(trial, 1)
    signed_in(client, Role.TRIAL_MANAGER)
    assert client.get("/admin/trial/allocation/").status_code == 200
    assert client.get("/admin/trial/allocation/add/").status_code == 403
    stratum = allocation.stratum
    page = client.get(f"/admin/trial/stratum/{stratum.pk}/change/").content.decode()
    assert stratum.seed not in page
    slots = client.get("/admin/trial/slot/").content.decode()
    assert "1 slot" in slots  # only the used one
    delete = client.post(f"/admin/trial/allocation/{allocation.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert Allocation.objects.filter(pk=allocation.pk).exists()
