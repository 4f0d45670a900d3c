"""The audit trail is append-only on both databases, and an edit made past it is named."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from common.models import AuditEvent, AuditVerification
from common.services import audit_record, audit_seal, audit_verify

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _events(n: int = 3) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action="participant.view", participant=f"CARA-{i:04d}")
        for i in range(1, n + 1)
    ]


def _refused(sql: str, params: list[int] | None = None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE common_auditevent SET action = 'nothing.happened'",
        "UPDATE common_auditevent SET seq = 99",
        "DELETE FROM common_auditevent",
        "DELETE FROM common_auditevent WHERE id = (SELECT min(id) FROM common_auditevent)",
    ],
)
def test_raw_sql_cannot_change_or_remove_an_audit_row(sql: str) -> None:
    _events()
    audit_seal()  # sealed rows too: the sealer's one UPDATE is spent
    before = list(AuditEvent.objects.order_by("id").values())
    assert "append-only" in _refused(sql)
    assert list(AuditEvent.objects.order_by("id").values()) == before


def test_an_unsealed_row_can_be_sealed_but_not_edited_on_the_way() -> None:
    event = _events(1)[0]
    assert "append-only" in _refused(
        "UPDATE common_auditevent SET seq = 1, subject = 'CARA-0002' WHERE id = %s", [event.pk]
    )
    assert audit_seal() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_outside_the_tests_is_refused(settings) -> None:
    _events(1)
    settings.TESTING = False
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False)
    assert AuditEvent.objects.count() == 1


def test_rows_are_chained_in_the_order_they_are_sealed() -> None:
    first = _events(2)
    assert audit_seal() == 2
    later = _events(1)
    assert audit_seal() == 1
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.pk for r in rows] == [e.pk for e in first + later]
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == ""
    assert rows[1].prev_hash == rows[0].row_hash
    assert rows[2].prev_hash == rows[1].row_hash
    assert len(rows[2].row_hash) == 64
    assert audit_seal() == 0


def test_verify_audit_passes_on_an_intact_trail_and_records_its_head(capsys) -> None:
    _events(5)
    call_command("verify_audit")
    assert "intact: 5 rows verified" in capsys.readouterr().out
    last = AuditVerification.objects.get()
    assert last.ok
    assert last.head_seq == 5


def _past_the_triggers(sql: str, pk: int) -> None:
    # What someone with the database owner's rights can do: the chain must still tell.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's rows are uncommitted
            cursor.execute("ALTER TABLE common_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, [pk])
            cursor.execute("ALTER TABLE common_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER common_audit_append_only")
            cursor.execute("DROP TRIGGER common_audit_no_delete")
            cursor.execute(sql, [pk])


def _broken() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert caught.value.returncode == 1
    return str(caught.value)


def test_an_edited_row_is_named_by_verify_audit() -> None:
    events = _events(4)
    audit_verify(by=None)
    target = events[2]
    _past_the_triggers(
        'UPDATE common_auditevent SET detail = \'{"participant": "CARA-0009"}\' WHERE id = %s',
        target.pk,
    )
    message = _broken()
    assert f"event {target.pk} (place 3, participant.view) was changed" in message
    assert AuditVerification.objects.get(ok=False).broken_event == target.pk


def test_a_removed_row_is_named_by_its_place() -> None:
    events = _events(4)
    audit_seal()
    _past_the_triggers("DELETE FROM common_auditevent WHERE id = %s", events[1].pk)
    assert f"row 2 of the chain is missing (removed): the next present is event {events[2].pk}" in (
        _broken()
    )


def test_a_chain_cut_short_after_a_verification_is_found() -> None:
    events = _events(4)
    audit_verify(by=None)
    _past_the_triggers("DELETE FROM common_auditevent WHERE id = %s", events[-1].pk)
    assert "no longer holds the head verified" in _broken()


def test_a_row_made_to_look_unsealed_leaves_a_gap_when_sealed_again() -> None:
    events = _events(3)
    audit_seal()
    _past_the_triggers(
        "UPDATE common_auditevent SET seq = NULL, detail = '{}' WHERE id = %s", events[0].pk
    )
    assert "row 1 of the chain is missing" in _broken()


def test_a_list_event_is_found_under_every_case_it_showed() -> None:
    event = audit_record(
        actor=None, action="participant.view_list", participants=["CARA-0002", "CARA-0001"]
    )
    assert event.trial == "CARA"
    assert event.subject == ""
    assert sorted(event.mentions.values_list("subject", flat=True)) == ["CARA-0001", "CARA-0002"]
    single = audit_record(actor=None, action="participant.view", participant="CARA-WMP-0042")
    assert (single.trial, single.subject) == ("CARA-WMP", "CARA-WMP-0042")


@pytest.mark.usefixtures("home_trial")
def test_the_trial_manager_page_shows_the_last_verification() -> None:
    from django.test import Client

    from common.roles import Role
    from tests.support.factories import make_user
    from tests.support.signin import confirm_sign_in

    client = Client()
    client.force_login(make_user(Role.TRIAL_MANAGER))
    confirm_sign_in(client)
    assert 'Audit trail:\n  <span class="text-body-secondary">not yet verified' in (
        client.get("/trial/").content.decode()
    )
    _events(2)
    checked = audit_verify(by=None).rows_checked  # the two, and the trial's own set-up events
    page = client.get("/trial/").content.decode()
    assert 'text-bg-success">intact</span> when last verified' in page
    assert f"({checked} rows)" in page
    assert checked > 2
