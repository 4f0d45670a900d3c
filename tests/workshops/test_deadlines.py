"""The breach loop closed: Rebook only when a cycle fits, extensions within the legal limit,
men past their deadline leave the queue for a decision, and the flags that warn of it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from common.exceptions import DomainError, NotAllowedError
from common.models import AuditEvent, User
from participants.models import Participant
from tests.support.cases import TODAY
from workshops.models import Breach, BreachStatus, Cycle, DeadlineDecision
from workshops.selectors import past_deadline, scheduling_queue
from workshops.services import (
    attendance_record,
    booking_create,
    breach_decide,
    deadline_decide,
    deadline_extend,
)

from .conftest import at_local, part

Man = Callable[..., Participant]
WEEK = datetime.timedelta(days=7)


@pytest.fixture
def breached(
    make_cycle: Callable[..., Cycle], workshop_man: Man, counsellor: User
) -> tuple[Participant, Breach]:
    """A man who missed a part 1 held yesterday: his breach is open."""
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=1))
    man = workshop_man()
    first, _ = booking_create(
        participant=man,
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    attendance_record(booking=first, attendance="did_not_attend", by=counsellor)
    return man, Breach.objects.get(booking=first)


def _to_act_on(client: Client) -> list[int]:
    """The cases in the officer's "Breach to act on" bucket, and its count agrees."""
    page = client.get(reverse("participants:dashboard"), {"bucket": "breach"})
    count = page.context["buckets"]
    shown = [case.pk for case in page.context["page"].object_list]
    assert {b.key: n for b, n in count}["breach"] == len(shown)
    return shown


def _deadline(man: Participant, day: datetime.date) -> Participant:
    Participant.objects.filter(pk=man.pk).update(workshop_deadline=day)
    man.refresh_from_db()
    return man


def test_rebook_is_not_offered_when_no_cycle_ends_by_his_deadline(
    breached: tuple[Participant, Breach], officer: User, client: Client
) -> None:
    _, breach = breached  # no later cycle exists
    client.force_login(officer)
    page = client.get(reverse("breaches:detail", args=[breach.pk])).content.decode()
    assert 'data-testid="no-rebook"' in page
    assert 'value="rebooked"' not in page
    assert "Extend his deadline" in page
    response = client.post(reverse("breaches:detail", args=[breach.pk]), {"outcome": "rebooked"})
    assert response.status_code == 400
    with pytest.raises(NotAllowedError, match="extend the deadline"):
        breach_decide(breach=breach, outcome="rebooked", note="", by=officer)
    breach.refresh_from_db()
    assert breach.status == BreachStatus.OPEN


def test_an_extension_within_the_legal_limit_makes_rebooking_possible(
    breached: tuple[Participant, Breach],
    officer: User,
    other_officer: User,
    counsellor: User,
    make_cycle: Callable[..., Cycle],
    client: Client,
) -> None:
    man, breach = breached
    man = _deadline(man, TODAY + 2 * WEEK)  # no cycle can end by then
    cycle = make_cycle(TODAY + WEEK)  # its part 2 is four weeks later
    url = reverse("breaches:detail", args=[breach.pk])
    client.force_login(officer)
    assert 'value="rebooked"' not in client.get(url).content.decode()

    limit = TODAY + 20 * WEEK  # cautioned today; the trial's legal limit is 20 weeks
    late = {"action": "extend", "extend-until": str(limit + datetime.timedelta(days=1))}
    page = client.post(url, {**late, "extend-reason": "In hospital for a month"})
    assert page.status_code == 400
    assert "20 weeks after his caution" in page.content.decode()
    with pytest.raises(DomainError, match="Say why"):
        deadline_extend(participant=man, until=TODAY + 8 * WEEK, reason=" ", by=officer)
    with pytest.raises(NotAllowedError):
        deadline_extend(participant=man, until=TODAY + 8 * WEEK, reason="x", by=other_officer)

    done = client.post(
        url,
        {"action": "extend", "extend-until": str(TODAY + 8 * WEEK), "extend-reason": "Surgery"},
    )
    assert done.status_code == 302
    man.refresh_from_db()
    assert man.workshop_deadline == TODAY + 8 * WEEK
    decision = DeadlineDecision.objects.get(participant=man)
    assert (decision.outcome, decision.breach_id, decision.note) == (
        "extended",
        breach.pk,
        "Surgery",
    )
    audit = AuditEvent.objects.get(action="participant.deadline_extend")
    assert "Surgery" not in str(audit.detail)  # the reason may name people: kept encrypted

    assert 'value="rebooked"' in client.get(url).content.decode()
    asked = client.post(url, {"action": "decide", "outcome": "rebooked"})
    assert 'data-testid="consequence"' in asked.content.decode()  # nothing yet
    assert Breach.objects.get(pk=breach.pk).status == BreachStatus.OPEN
    client.post(url, {"action": "decide", "outcome": "rebooked", "confirmed": "yes"})
    assert Breach.objects.get(pk=breach.pk).outcome == "rebooked"
    assert scheduling_queue(user=counsellor).filter(pk=man.pk).exists()
    assert len(booking_create(participant=man, cycle=cycle, by=counsellor)) == 2


def test_a_rebooked_man_whose_deadline_passes_ends_in_a_decision_not_a_loop(
    breached: tuple[Participant, Breach],
    officer: User,
    counsellor: User,
    make_cycle: Callable[..., Cycle],
    client: Client,
) -> None:
    """The issue's scenario: rebooked, never booked again, then his deadline passed."""
    man, breach = breached
    make_cycle(TODAY + WEEK)
    breach_decide(breach=breach, outcome="rebooked", note="", by=officer)
    man = _deadline(man, TODAY - datetime.timedelta(days=1))  # weeks go by

    assert not scheduling_queue(user=counsellor).filter(pk=man.pk).exists()
    assert past_deadline(user=counsellor).filter(pk=man.pk).exists()
    assert past_deadline(user=officer).filter(pk=man.pk).exists()
    client.force_login(counsellor)
    dashboard = client.get(reverse("workshops:dashboard")).content.decode()
    queue, past = dashboard.split('id="past-h"')
    assert man.pseudonym not in queue.split('data-testid="queue"')[1]
    assert man.pseudonym in past.split('id="attendance-h"')[0]

    booking_page = client.get(reverse("workshops:participant", args=[man.pk])).content.decode()
    assert 'data-testid="deadline-passed"' in booking_page

    client.force_login(officer)
    assert _to_act_on(client) == [man.pk]  # decided breach, but the deadline passed
    listing = client.get(reverse("breaches:list")).content.decode()
    assert reverse("breaches:deadline", args=[man.pk]) in listing
    url = reverse("breaches:deadline", args=[man.pk])
    asked = client.post(url, {"action": "decide", "outcome": "prosecution"})
    assert "The decision is final" in asked.content.decode()
    assert not DeadlineDecision.objects.exists()
    done = client.post(url, {"action": "decide", "outcome": "prosecution", "confirmed": "yes"})
    assert done.status_code == 302
    assert DeadlineDecision.objects.get(participant=man).outcome == "prosecution"

    assert not past_deadline(user=officer).filter(pk=man.pk).exists()
    assert _to_act_on(client) == []
    assert not scheduling_queue(user=counsellor).filter(pk=man.pk).exists()
    client.force_login(counsellor)
    booking_page = client.get(reverse("workshops:participant", args=[man.pk])).content.decode()
    assert 'data-testid="booking-form"' not in booking_page
    assert "case officer decided: prosecute for the original offence" in booking_page
    with pytest.raises(DomainError, match="officer decided: prosecute for the original offence"):
        booking_create(participant=man, cycle=make_cycle(TODAY + 2 * WEEK), by=counsellor)
    with pytest.raises(DomainError, match="already decided"):
        deadline_decide(participant=man, outcome="no_further_action", note="", by=officer)


def test_a_man_whose_deadline_has_not_passed_is_not_decided_on_the_deadline_page(
    workshop_man: Man, officer: User, client: Client
) -> None:
    man = workshop_man()
    with pytest.raises(NotAllowedError, match="has not passed"):
        deadline_decide(participant=man, outcome="prosecution", note="", by=officer)
    client.force_login(officer)
    page = client.get(reverse("breaches:deadline", args=[man.pk])).content.decode()
    assert 'data-testid="nothing-to-decide"' in page


def test_a_man_with_a_booked_workshop_is_not_decided_though_his_deadline_passed(
    workshop_man: Man,
    officer: User,
    counsellor: User,
    make_cycle: Callable[..., Cycle],
) -> None:
    """Attendance not yet recorded may show he finished: no prosecution decided over it."""
    man = workshop_man()
    cycle = make_cycle(starts_at=at_local(TODAY) - datetime.timedelta(days=3))
    booking_create(
        participant=man,
        cycle=cycle,
        by=counsellor,
        at=part(cycle, 1).starts_at - datetime.timedelta(days=2),
    )
    man = _deadline(man, TODAY - datetime.timedelta(days=1))
    assert not past_deadline(user=officer).filter(pk=man.pk).exists()
    with pytest.raises(NotAllowedError, match="has a booked workshop"):
        deadline_decide(participant=man, outcome="prosecution", note="", by=officer)
    assert not DeadlineDecision.objects.exists()


def test_deadlines_due_within_14_days_and_open_breaches_are_flagged_and_aged(
    breached: tuple[Participant, Breach],
    workshop_man: Man,
    officer: User,
    counsellor: User,
    client: Client,
) -> None:
    man, breach = breached
    Breach.objects.filter(pk=breach.pk).update(
        opened_at=breach.opened_at - 12 * datetime.timedelta(days=1)
    )
    _deadline(man, TODAY + 10 * datetime.timedelta(days=1))
    soon = _deadline(workshop_man(), TODAY + WEEK)
    client.force_login(officer)
    listing = client.get(reverse("breaches:list")).content.decode()
    assert "12 days" in listing
    assert "Due within 14 days" in listing
    client.force_login(counsellor)
    dashboard = client.get(reverse("workshops:dashboard")).content.decode()
    row = dashboard.split(soon.pseudonym, 1)[1].split("</tr>")[0]
    assert "Due within 14 days" in row
