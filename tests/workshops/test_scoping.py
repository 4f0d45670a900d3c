"""Many trials and providers in one installation: who sees and changes which workshops.

Trial A is the CARA trial of the workshop fixtures (Southampton, Portsmouth); trial B runs in
Birmingham. Hampton Trust runs trial A's areas; Other Trust is another provider.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from common.exceptions import DomainError, NotAllowedError
from common.memberships import memberships_forget
from common.models import AuditEvent, PoliceArea, Provider, User
from common.roles import Role
from participants.models import Participant
from tests.support.factories import ProviderFactory, make_trial, make_user, police_area
from trial.models import Trial
from workshops.models import Booking, Breach, Cycle, Delivery
from workshops.selectors import (
    ITEMS,
    breaches_visible_to,
    cycles_visible_to,
    feed_render,
    scheduling_queue,
)
from workshops.services import (
    CyclePlan,
    attendance_correct,
    attendance_record,
    booking_create,
    booking_propose,
    breach_decide,
    cycle_create,
    delivery_set,
    feedback_record,
    session_cancel,
)

from .conftest import TODAY, at_local, deliver, enrol_in_arm, part

Man = Callable[..., Participant]
MakeCycle = Callable[..., Cycle]
WEEK = datetime.timedelta(days=7)
EVERY_ANSWER = {item.code: 4 for item in ITEMS}


@pytest.fixture
def birmingham(db: None) -> PoliceArea:
    return police_area("birmingham", "Birmingham", "West Midlands Police")


@pytest.fixture
def trial_b(trial: Trial, birmingham: PoliceArea) -> Trial:
    """A second trial, made after trial A (so users of every trial hold roles in both)."""
    return make_trial("CARA-WMP", title="WMP", strata_factors={"area": [birmingham.code]})


@pytest.fixture
def other_trust(trial: Trial) -> User:
    """A counsellor of another provider in trial A."""
    return make_user(
        Role.COUNSELLOR,
        trial=trial,
        provider=ProviderFactory(name="Other Trust"),
        first_name="Olga",
    )


def plan(lead: User, day: datetime.date, venue: str = "Hampton Trust, Fareham") -> CyclePlan:
    return CyclePlan(part_1_starts_at=at_local(day), venue=venue, leads=[lead], hours=Decimal(5))


# A counsellor of another provider -------------------------------------------------------


def test_a_counsellor_of_another_provider_gets_404_and_sees_none_of_the_men(
    client: Client,
    counsellor: User,
    other_trust: User,
    workshop_man: Man,
    make_cycle: MakeCycle,
) -> None:
    booked, queued = workshop_man(), workshop_man()
    booking_create(participant=booked, cycle=make_cycle(), by=counsellor)
    client.force_login(other_trust)
    for man in (booked, queued):
        for name in ("workshops:participant", "workshops:feedback"):
            response = client.get(reverse(name, args=[man.pk]))
            assert response.status_code == 404
            assert man.full_name not in response.content.decode()
            assert str(man.phone) not in response.content.decode()
    page = client.get(reverse("workshops:dashboard")).content.decode()
    for man in (booked, queued):
        assert man.full_name not in page
        assert man.pseudonym not in page
    assert not scheduling_queue(user=other_trust).exists()
    # Hampton Trust's own counsellor still sees the queued man.
    client.force_login(counsellor)
    assert queued.full_name in client.get(reverse("workshops:dashboard")).content.decode()


def test_a_man_is_seen_by_the_provider_that_booked_him_and_the_one_he_is_queued_for(
    trial: Trial,
    area: PoliceArea,
    counsellor: User,
    other_trust: User,
    workshop_man: Man,
    make_cycle: MakeCycle,
) -> None:
    man = workshop_man()
    booking_create(participant=man, cycle=make_cycle(), by=counsellor)
    deliver(trial, area, provider="Other Trust")  # his area moves to Other Trust
    for user in (counsellor, other_trust):  # booked with the one, queued for the other
        client = Client()
        client.force_login(user)
        assert client.get(reverse("workshops:participant", args=[man.pk])).status_code == 200


def test_booking_services_refuse_a_counsellor_of_another_provider(
    trial: Trial,
    area: PoliceArea,
    other_trust: User,
    workshop_man: Man,
    make_cycle: MakeCycle,
) -> None:
    man = workshop_man()  # queued for Hampton Trust
    hampton = make_cycle()
    own = cycle_create(
        trial=trial, plan=plan(other_trust, TODAY + WEEK, "Elsewhere"), by=other_trust
    )
    not_theirs = f"{man.pseudonym} is not booked with or queued for your provider"
    with pytest.raises(NotAllowedError, match=not_theirs):
        booking_create(participant=man, cycle=own, by=other_trust)
    with pytest.raises(NotAllowedError, match=not_theirs):
        booking_propose(participant=man, by=other_trust)
    with pytest.raises(NotAllowedError, match=not_theirs):
        feedback_record(participant=man, answers=EVERY_ANSWER, comments="", by=other_trust)
    deliver(trial, area, provider="Other Trust")  # now Other Trust's man, not its cycle
    with pytest.raises(NotAllowedError, match="Cycle 1 is run by Hampton Trust"):
        booking_create(participant=man, cycle=hampton, by=other_trust)
    assert not Booking.objects.exists()
    assert len(booking_create(participant=man, cycle=own, by=other_trust)) == 2


def test_register_services_refuse_a_counsellor_of_another_provider(
    trial: Trial, counsellor: User, other_trust: User, workshop_man: Man, make_cycle: MakeCycle
) -> None:
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=1))
    first, _ = booking_create(
        participant=workshop_man(),
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    with pytest.raises(NotAllowedError, match="Cycle 1 is run by Hampton Trust"):
        attendance_record(booking=first, attendance="attended", by=other_trust)
    attendance_record(booking=first, attendance="attended", by=counsellor)
    with pytest.raises(NotAllowedError, match="Cycle 1 is run by Hampton Trust"):
        attendance_correct(booking=first, attendance="left_early", why="Left", by=other_trust)
    coming = make_cycle(TODAY + 2 * WEEK)
    with pytest.raises(NotAllowedError, match="Cycle 2 is run by Hampton Trust"):
        session_cancel(session=part(coming, 1), reason="Ill", by=other_trust)
    own = cycle_create(
        trial=trial, plan=plan(other_trust, TODAY + WEEK, "Elsewhere"), by=other_trust
    )
    with pytest.raises(NotAllowedError, match="Cycle 3 is run by Other Trust"):
        session_cancel(session=part(coming, 1), reason="Ill", by=counsellor, move_to=own)
    assert not part(coming, 1).is_cancelled
    # A lead from another provider cannot run Hampton Trust's cycle.
    with pytest.raises(DomainError, match=r"Olga .* is not a counsellor of Hampton Trust") as no:
        cycle_create(trial=trial, plan=plan(other_trust, TODAY + 3 * WEEK), by=counsellor)
    assert no.value.field == "leads"


def test_booking_proposes_only_the_counsellors_own_providers_cycles(
    trial: Trial, area: PoliceArea, counsellor: User, other_trust: User, workshop_man: Man
) -> None:
    cycle_create(trial=trial, plan=plan(other_trust, TODAY + WEEK, "Elsewhere"), by=other_trust)
    own = cycle_create(trial=trial, plan=plan(counsellor, TODAY + 2 * WEEK), by=counsellor)
    assert booking_propose(participant=workshop_man(), by=counsellor) == own


# Trial A and trial B --------------------------------------------------------------------


@pytest.fixture
def cycle_b(trial_b: Trial) -> Cycle:
    """A Hampton Trust cycle of trial B, led by a counsellor of trial B only."""
    lead = make_user(Role.COUNSELLOR, trial=trial_b, first_name="Bea")
    return cycle_create(trial=trial_b, plan=plan(lead, TODAY + WEEK, "Birmingham Hub"), by=lead)


def test_a_counsellor_of_trial_a_does_not_see_trial_b_cycles_or_sessions(
    client: Client, trial: Trial, cycle_b: Cycle
) -> None:
    only_a = make_user(Role.COUNSELLOR, trial=trial)  # Hampton Trust, like cycle B's lead
    client.force_login(only_a)
    assert client.get(reverse("workshops:cycle", args=[cycle_b.pk])).status_code == 404
    for name in ("workshops:session", "workshops:cancel"):
        assert client.get(reverse(name, args=[part(cycle_b, 1).pk])).status_code == 404
    week = client.get(reverse("workshops:calendar_week"), {"week": f"{TODAY + WEEK}"})
    assert "Birmingham Hub" not in week.content.decode()
    assert not cycles_visible_to(only_a).exists()
    with pytest.raises(NotAllowedError, match="Only a counsellor of CARA-WMP"):
        cycle_create(trial=cycle_b.trial, plan=plan(only_a, TODAY + 2 * WEEK), by=only_a)
    with pytest.raises(NotAllowedError, match="Only a counsellor of CARA-WMP"):
        session_cancel(session=part(cycle_b, 1), reason="Ill", by=only_a)


def test_the_calendar_and_dashboard_show_the_current_trial_only(
    client: Client, counsellor: User, make_cycle: MakeCycle, trial_b: Trial, cycle_b: Cycle
) -> None:
    make_cycle(TODAY + WEEK)  # trial A, Hampton Trust, Fareham
    client.force_login(counsellor)  # a counsellor of both trials
    week = {"week": f"{TODAY + WEEK}"}
    page = client.get(reverse("workshops:calendar_week"), week).content.decode()
    assert "Fareham" in page
    assert "Birmingham Hub" not in page
    client.post(reverse("trial_choose"), {"trial": trial_b.pk})
    page = client.get(reverse("workshops:calendar_week"), week).content.decode()
    assert "Birmingham Hub" in page
    assert "Fareham" not in page
    assert "Fareham" not in client.get(reverse("workshops:dashboard")).content.decode()
    # The detail page of the other trial's cycle stays open to a counsellor of both.
    assert client.get(reverse("workshops:cycle", args=[cycle_b.pk])).status_code == 200


def test_the_feed_of_a_counsellor_keeps_to_their_trials(
    counsellor: User, make_cycle: MakeCycle, cycle_b: Cycle
) -> None:
    make_cycle(TODAY + WEEK)
    cycle_b.sessions.first().leads.add(counsellor)  # type: ignore[union-attr]
    assert b"CARA-WMP" in feed_render(user=counsellor)
    counsellor.memberships.filter(trial=cycle_b.trial).delete()  # role in trial B revoked
    memberships_forget(counsellor)
    feed = feed_render(user=counsellor)
    assert b"CARA-WMP" not in feed
    assert b"CARA workshop part 1" in feed


def test_the_cycle_form_offers_the_counsellors_trials_only(
    client: Client, trial: Trial, trial_b: Trial
) -> None:
    only_a = make_user(Role.COUNSELLOR, trial=trial)
    client.force_login(only_a)
    form = client.get(reverse("workshops:cycle_new")).context["form"]
    assert list(form.fields["trial"].queryset) == [trial]
    assert list(form.fields["leads"].queryset) == [only_a]


# Breaches across trials -----------------------------------------------------------------


@pytest.fixture
def breach_a(counsellor: User, workshop_man: Man, make_cycle: MakeCycle) -> Breach:
    """An open breach of a trial-A man of Southampton."""
    man = workshop_man()
    cycle = make_cycle(TODAY - datetime.timedelta(days=3))
    first, _ = booking_create(
        participant=man, cycle=cycle, by=counsellor, at=part(cycle, 1).starts_at - WEEK
    )
    attendance_record(booking=first, attendance="did_not_attend", by=counsellor)
    return Breach.objects.get(participant=man)


def test_an_officer_of_trial_b_does_not_see_trial_a_breaches(
    client: Client, area: PoliceArea, trial_b: Trial, breach_a: Breach
) -> None:
    officer_b = make_user(Role.OFFICER, trial=trial_b, police_area=area)  # same area, trial B
    client.force_login(officer_b)
    assert (
        breach_a.participant.pseudonym not in client.get(reverse("breaches:list")).content.decode()
    )
    assert client.get(reverse("breaches:detail", args=[breach_a.pk])).status_code == 404
    assert not breaches_visible_to(officer_b).exists()
    with pytest.raises(NotAllowedError, match="Only a case officer of his police area"):
        breach_decide(breach=breach_a, outcome="rebooked", note="", by=officer_b)
    manager_b = make_user(Role.TRIAL_MANAGER, trial=trial_b)
    with pytest.raises(NotAllowedError, match="Only a case officer of his police area"):
        breach_decide(breach=breach_a, outcome="rebooked", note="", by=manager_b)


def test_the_breach_list_shows_the_current_trial_only(
    client: Client, officer: User, trial_b: Trial, breach_a: Breach
) -> None:
    client.force_login(officer)  # an officer of Southampton in both trials
    assert breach_a.participant.pseudonym in client.get(reverse("breaches:list")).content.decode()
    client.post(reverse("trial_choose"), {"trial": trial_b.pk})
    page = client.get(reverse("breaches:list")).content.decode()
    assert breach_a.participant.pseudonym not in page
    assert client.get(reverse("breaches:detail", args=[breach_a.pk])).status_code == 200


def test_a_counsellor_sees_the_breaches_of_their_providers_sessions_only(
    counsellor: User, other_trust: User, breach_a: Breach
) -> None:
    assert list(breaches_visible_to(counsellor)) == [breach_a]
    assert not breaches_visible_to(other_trust).exists()


# Deliveries -----------------------------------------------------------------------------


def test_a_trial_manager_sets_the_provider_of_an_area_audited_once(
    client: Client, trial: Trial, area: PoliceArea, trial_manager: User, trial_b: Trial
) -> None:
    other = ProviderFactory.create(name="Other Trust")
    client.force_login(trial_manager)
    page = client.get(reverse("workshops:deliveries")).content.decode()
    assert "Southampton" in page
    assert "Portsmouth" in page
    assert "Birmingham" not in page  # trial B's area: not on trial A's page
    data = {"police_area": area.pk, "provider": other.pk}
    assert client.post(reverse("workshops:deliveries"), data).status_code == 302
    assert client.post(reverse("workshops:deliveries"), data).status_code == 302  # again
    assert Delivery.objects.get(trial=trial, police_area=area).provider == other
    [event] = AuditEvent.objects.filter(action="delivery.set")
    assert event.trial == "CARA"
    assert event.actor == trial_manager
    assert event.detail["provider"] == "Other Trust"
    assert "Other Trust" in client.get(reverse("workshops:deliveries")).content.decode()


def test_delivery_set_refuses_a_manager_of_another_trial_and_an_area_outside_the_trial(
    trial: Trial, area: PoliceArea, birmingham: PoliceArea, trial_b: Trial
) -> None:
    provider: Provider = ProviderFactory.create()
    manager_b = make_user(Role.TRIAL_MANAGER, trial=trial_b)
    with pytest.raises(NotAllowedError, match="Only a trial manager of CARA"):
        delivery_set(trial=trial, police_area=area, provider=provider, by=manager_b)
    with pytest.raises(DomainError, match="Birmingham is not taking part") as refused:
        delivery_set(trial=trial, police_area=birmingham, provider=provider, by=None)
    assert refused.value.field == "police_area"
    assert not Delivery.objects.exists()
    assert not AuditEvent.objects.filter(action="delivery.set").exists()


def test_the_delivery_page_is_for_trial_managers_of_the_current_trial(
    client: Client, counsellor: User, trial: Trial, trial_b: Trial
) -> None:
    client.force_login(counsellor)
    assert client.get(reverse("workshops:deliveries")).status_code == 403
    manager_b = make_user(Role.TRIAL_MANAGER, trial=trial_b)
    client.force_login(manager_b)
    page = client.get(reverse("workshops:deliveries")).content.decode()
    assert "Birmingham" in page
    assert "Southampton" not in page
    area = PoliceArea.objects.get(code="southampton")
    provider = ProviderFactory.create()
    response = client.post(
        reverse("workshops:deliveries"), {"police_area": area.pk, "provider": provider.pk}
    )
    assert response.status_code == 400  # not one of trial B's areas
    assert not Delivery.objects.exists()


def test_a_man_of_another_trial_is_not_queued_by_a_delivery_of_this_one(
    trial_b: Trial, birmingham: PoliceArea, counsellor: User, delivered: Provider
) -> None:
    officer_b = make_user(Role.OFFICER, trial=trial_b, police_area=birmingham)
    man_b = enrol_in_arm(trial_b, officer_b, True)
    assert not scheduling_queue(user=counsellor).filter(pk=man_b.pk).exists()
    deliver(trial_b, birmingham)
    assert scheduling_queue(user=counsellor).filter(pk=man_b.pk).exists()
