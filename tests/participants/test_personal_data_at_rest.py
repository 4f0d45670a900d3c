"""Personal data is unreadable in the database, and a key rotation keeps it readable."""

from __future__ import annotations

from io import StringIO

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from common.models import User
from participants.models import Consent, Participant, Victim
from participants.services import consent_withdraw
from tests.support.cases import TODAY, enrolled, screening_input
from trial.models import Trial


def raw_row(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return " ".join(str(v) for v in cursor.fetchone())


def test_names_dates_of_birth_and_pnc_ids_are_not_in_the_raw_columns(
    trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    row = raw_row("participants_participant", case.pk)
    for clear in (
        "Daniel",
        "Marsh",
        "1990-05-17",
        screening_input().pnc_id,
        "07700",
        "High Street",
    ):
        assert clear not in row, clear
    assert case.pseudonym in row  # the trial ID is not personal data
    victim_row = raw_row("participants_victim", Victim.objects.get(participant=case).pk)
    assert "Sarah" not in victim_row
    assert "900456" not in victim_row


def test_reencrypting_moves_every_value_to_the_new_key(trial: Trial, officer: User) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        case = enrolled(trial, officer)
        before = raw_row("participants_participant", case.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        out = StringIO()
        call_command("reencrypt_personal_data", stdout=out)
        assert "participants.Participant: 1 rows" in out.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):  # the old key is retired
        after = Participant.objects.get(pk=case.pk)
        assert after.full_name == "Daniel Marsh"
        assert after.pnc_id == screening_input().pnc_id
        assert after.date_of_birth == screening_input().date_of_birth
        assert Victim.objects.get(participant=case).full_name == "Sarah Marsh"
    assert raw_row("participants_participant", case.pk) != before


def test_the_victims_reason_for_withdrawing_is_not_in_the_raw_column(
    trial: Trial, officer: User
) -> None:
    case = enrolled(trial, officer)
    consent_withdraw(
        participant=case, withdrawn_on=TODAY, reason="Afraid of him after a new threat", by=officer
    )
    consent = Consent.objects.get(participant=case)
    row = raw_row("participants_consent", consent.pk)
    assert "Afraid" not in row
    assert consent.withdrawal_reason == "Afraid of him after a new threat"
