"""The trial pages speak the manager's words: settings, strata, chart labels, the offline check."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.exceptions import DomainError
from common.models import AuditEvent
from common.roles import Role
from tests.support.factories import make_user, police_area
from tests.support.signin import confirm_sign_in
from trial.models import Trial
from trial.selectors import CountRow, stacked_bars
from trial.selectors.charts import LABEL_SPACING
from trial.services import ArmSpec, trial_create

from .support import claim, make_trial

CODE_WORDS = [
    "Block multipliers",
    "Workshop gap min days",
    "Workshop gap max days",
    "Cycle interval",
]


def _manager(client: Client) -> None:
    client.force_login(make_user(Role.TRIAL_MANAGER))
    confirm_sign_in(client)


@pytest.mark.django_db
def test_every_setting_is_labelled_and_explained_in_plain_english(client: Client) -> None:
    make_trial()
    _manager(client)
    settings = client.get(reverse("trial:settings", kwargs={"code": "CARA"})).content.decode()
    new = client.get(reverse("trial:new")).content.decode()
    design = client.get(reverse("trial:design", kwargs={"code": "CARA"})).content.decode()
    for page in (settings, new, design):
        for words in CODE_WORDS:
            assert words not in page
    for words in (
        "Shortest gap between part 1 and part 2 (days)",
        "Longest gap between part 1 and part 2 (days)",
        "Days from the start of one workshop cycle to the next",
        "Weeks a man has to meet his caution",
        "Months personal data are kept after the trial closes",
        "Follow-up periods (months after randomisation)",
    ):
        assert words in settings
    # Every field of the settings form has a help text under it.
    fields = re.findall(r'<input[^>]+name="([a-z_]+)"', settings)
    helps = re.findall(r'id="hint_id_([a-z_]+)"|id="id_([a-z_]+)_helptext"', settings)
    helped = {name for pair in helps for name in pair if name}
    assert set(fields) - {"csrfmiddlewaretoken"} <= helped, set(fields) - helped
    for words in (
        "Block sizes, as multiples of the ratio",
        "shuffled blocks",
        "gives blocks of 2, 4 or 6",
    ):
        assert words in design
    assert "Trial code" in new
    assert "CARA-0042" in new


@pytest.mark.django_db
def test_the_balance_names_strata_by_their_areas_and_spaces_month_labels(
    client: Client,
) -> None:
    trial = make_trial()
    police_area("north", "Basingstoke and Deane")
    for n in range(1, 5):
        claim(trial, n, "north" if n % 2 else "south")
    _manager(client)
    html = client.get(reverse("trial:balance", kwargs={"code": "CARA"})).content.decode()
    assert "Basingstoke and Deane" in html
    assert "area: north" not in html
    assert "area: south" not in html

    # Thirty months of recruitment: labels far enough apart never to overlap, all on the chart.
    first = datetime.date(2024, 1, 1)
    months = [
        (first, CountRow(label=f"{month:%b %Y}", counts=[3, 2], total=5))
        for month in (datetime.date(2024 + m // 12, m % 12 + 1, 1) for m in range(30))
    ]
    chart = stacked_bars(months, ["CARA workshops", "Control"])
    xs = [x for x, _ in chart.labels]
    assert len(xs) >= 6
    assert min(b - a for a, b in itertools.pairwise(xs)) >= LABEL_SPACING
    assert xs[-1] + LABEL_SPACING / 2 - 6 <= chart.width  # the last label is not cut off


@pytest.mark.django_db
def test_the_sequence_page_says_what_to_do_without_pointing_into_the_code(
    client: Client,
) -> None:
    make_trial()
    _manager(client)
    page = client.get(reverse("trial:sequence", kwargs={"code": "CARA"})).content.decode()
    assert "docs/" not in page
    assert ".py" not in page
    assert "independent statistician" in page
    assert "Offline check" in page


@pytest.mark.django_db
def test_a_trial_loaded_from_the_past_is_dated_then_and_the_audit_says_so() -> None:
    manager = make_user(Role.TRIAL_MANAGER)
    then = timezone.now() - datetime.timedelta(days=400)
    arms = [ArmSpec("cara", "CARA", 1, is_intervention=True), ArmSpec("control", "Control", 1)]
    trial = trial_create(
        code="OLD",
        title="Set up last year",
        arms=arms,
        strata_factors={},
        by=manager,
        created_at=then,
    )
    assert trial.created_at == then
    assert trial.designs.get().created_at == then
    event = AuditEvent.objects.get(action="trial.create", object_id=str(trial.pk))
    assert event.detail["dated"] == then.isoformat()
    assert event.at > then  # the audit trail keeps when it really happened
    with pytest.raises(DomainError, match="future"):
        trial_create(
            code="LATER",
            title="Set up next year",
            arms=arms,
            strata_factors={},
            by=manager,
            created_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert not Trial.objects.filter(code="LATER").exists()
