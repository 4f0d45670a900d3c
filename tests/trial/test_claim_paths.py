"""The two ways a claim is made: PostgreSQL's trial_allocation_claim function and the Python path.

Both must write rows that the Python verification accepts, with the same audit event; the
function must be what ordinary claims on PostgreSQL use (the allocation benchmark depends on
it), and anything it cannot do must fall back to Python with nothing written.
"""

from __future__ import annotations

import datetime
import itertools
import string
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from common.models import AuditEvent
from common.roles import Role
from tests.support.factories import make_user
from trial.chain import allocation_hash
from trial.models import Allocation, Stratum
from trial.services import allocation_claim, chain_verify
from trial.services.strata import FIRST_SLOTS, stratum_extend

from .support import block_problems, claim, make_trial

FUNCTION_CALL = "trial_allocation_claim("


def _claim_statements(queries: list[dict[str, str]]) -> list[str]:
    """The statements of a claim, without the savepoints of the test's own transaction."""
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"].upper()]


@pytest.mark.django_db
def test_an_ordinary_claim_is_one_statement_on_postgresql_and_python_on_sqlite() -> None:
    trial = make_trial()
    claim(trial, 1)  # the stratum and its first blocks exist from go-live
    with CaptureQueriesContext(connection) as queries:
        allocation = claim(trial, 2)
    statements = _claim_statements(queries.captured_queries)
    if connection.vendor == "postgresql":
        assert len(statements) == 1
        assert FUNCTION_CALL in statements[0]
    else:
        assert not any(FUNCTION_CALL in sql for sql in statements)
    stored = Allocation.objects.select_related("slot", "arm").get(pk=allocation.pk)
    assert (stored.arm.code, stored.slot_id, stored.seq) == (
        allocation.arm.code,
        allocation.slot_id,
        2,
    )
    assert allocation.arm.is_intervention == (allocation.arm.code == "cara")
    assert allocation.slot is not None
    assert allocation.slot.position == 2


@pytest.mark.django_db
def test_both_paths_write_the_same_audit_event_and_a_verifiable_chain() -> None:
    trial = make_trial()
    officer = make_user(Role.OFFICER, username="officer")
    # An e-acute in the key sends this claim down the Python path (PostgreSQL and Python
    # escape non-ASCII differently in JSON, so the function is never asked to hash it).
    keys = ["CARA-0001", "CARA-0002 é"]
    with CaptureQueriesContext(connection) as queries:
        made = [
            allocation_claim(
                trial=trial,
                participant_key=key,
                person_key=f"person-{i}",
                strata={"area": "north"},
                by=officer,
            )
            for i, key in enumerate(keys)
        ]
    calls = [sql for sql in _claim_statements(queries.captured_queries) if FUNCTION_CALL in sql]
    assert len(calls) == (1 if connection.vendor == "postgresql" else 0)
    events = [AuditEvent.objects.get(action="allocation.claim", object_id=str(a.pk)) for a in made]
    for allocation, event in zip(made, events, strict=True):
        assert event.actor == officer
        assert event.object_type == "trial.Allocation"
        assert event.detail == {
            "trial": "CARA",
            "participant": allocation.participant_key,
            "stratum": "area=north",
            "seq": allocation.seq,
        }
    assert [a.seq for a in made] == [1, 2]
    assert made[1].prev_hash == made[0].row_hash
    assert chain_verify(trial=trial, by=None).ok


PRINTABLE = string.printable[:95]  # space to tilde: what the function is given


@pytest.mark.django_db
def test_the_function_hashes_exactly_as_python_does() -> None:
    """Call the function with awkward keys, times and users; Python recomputes every hash."""
    trial = make_trial(factors={"area": ["north"]})
    users = [None, make_user(Role.OFFICER, username="officer").pk]
    stratum = Stratum.objects.get(trial=trial)
    counter = itertools.count(1)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        tail=st.text(alphabet=PRINTABLE, max_size=30),
        person=st.text(alphabet=PRINTABLE, min_size=1, max_size=64),
        at=st.datetimes(
            # hypothesis bounds are naive; the drawn values carry the zones below
            min_value=datetime.datetime(2000, 1, 1),  # noqa: DTZ001
            max_value=datetime.datetime(2099, 12, 31),  # noqa: DTZ001
            timezones=st.sampled_from([datetime.UTC, ZoneInfo("Europe/London")]),
        ),
        on=st.none()
        | st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31)),
        by=st.sampled_from(users),
    )
    # 01:00 on the night the clock goes back happens twice in London (the first, BST, here).
    @example(
        tail="",
        person="p",
        at=datetime.datetime(2008, 10, 26, 1, 0, tzinfo=ZoneInfo("Europe/London")),
        on=None,
        by=None,
    )
    def check(
        tail: str, person: str, at: datetime.datetime, on: datetime.date | None, by: int | None
    ) -> None:
        n = next(counter)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r_id FROM trial_allocation_claim(%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    trial.pk,
                    f"CARA-{n}{tail}"[:40],
                    f"{n}{person}"[:64],
                    "area=north",
                    by,
                    on,
                    "Europe/London",
                    at,
                ],
            )
            (pk,) = cursor.fetchone()
        stored = Allocation.objects.select_related("trial", "stratum__design", "slot", "arm").get(
            pk=pk
        )
        assert stored.row_hash == allocation_hash(stored)
        # In UTC: PEP 495 makes an ambiguous local time (the clock going back) unequal to
        # every time in another zone, so compare the instants.
        assert stored.allocated_at == at.astimezone(datetime.UTC)
        # No day given: the day of the allocation's own time, in the site's zone.
        assert stored.randomised_on == (on or at.astimezone(ZoneInfo("Europe/London")).date())

    if connection.vendor != "postgresql":  # no function there: every claim takes Python
        with pytest.raises(DatabaseError, match="trial_allocation_claim"), transaction.atomic():
            check()
        return
    arms = {arm.code: arm for arm in trial.arms.all()}
    while stratum.slots.count() < 48:  # 40 examples without running out (that falls back)
        stratum_extend(stratum, stratum.design, arms)
    check()
    assert chain_verify(trial=trial, by=None).ok


@pytest.mark.django_db
def test_a_stratum_that_runs_out_grows_by_whole_blocks_at_least_doubling() -> None:
    trial = make_trial()
    stratum = Stratum.objects.get(trial=trial, key="area=north")
    first = stratum.slots.count()
    assert FIRST_SLOTS <= first < FIRST_SLOTS + 6  # whole blocks of at most 6
    for n in range(1, first + 2):  # the last claim finds no slot: the Python path extends
        claim(trial, n)
    stratum.refresh_from_db()
    assert stratum.slots.count() >= 2 * first
    blocks = set(stratum.slots.values_list("block_number", flat=True))
    assert blocks == set(range(1, stratum.blocks_generated + 1))
    assert block_problems(trial) == []
    assert chain_verify(trial=trial, by=None).ok
    # The next claim is back on the function, with nothing lost in between.
    with CaptureQueriesContext(connection) as queries:
        claim(trial, first + 2)
    statements = _claim_statements(queries.captured_queries)
    assert len(statements) == 1 or connection.vendor != "postgresql"
    assert stratum.allocations.count() == first + 2
