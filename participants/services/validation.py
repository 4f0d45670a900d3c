"""Checks of what an officer typed, shared by the forms and the services (per field)."""

from __future__ import annotations

import datetime
import re

from common.exceptions import DomainError
from common.identifiers import InvalidPNCError, normalise_pnc

EARLIEST_BIRTH = datetime.date(1900, 1, 1)
CUSTODY_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9/-]{2,39}$")


class InvalidInputError(DomainError):
    """Several fields are wrong at once: each has its own message; nothing was saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field, code="invalid")
        self.errors = errors

    def messages_by_field(self) -> dict[str | None, str]:
        return dict(self.errors.items())


def normalise_custody_reference(text: str) -> str:
    """Return a custody reference in its searchable form (upper case, no spaces)."""
    return "".join(text.split()).upper()


def pnc_problem(text: str) -> str | None:
    """Return why a PNC ID is impossible, or None."""
    try:
        normalise_pnc(text)
    except InvalidPNCError as exc:
        return str(exc)
    return None


def screening_problems(
    *,
    date_of_birth: datetime.date | None,
    offence_date: datetime.date | None,
    arrest_date: datetime.date | None,
    last_violence_on: datetime.date | None,
    custody_reference: str | None,
    pnc_id: str | None,
    today: datetime.date,
) -> dict[str, str]:
    """Return a message per field whose value cannot be true; empty when all can be.

    None is an answer the form refused already: every other check still runs, so the officer
    sees every problem in one round.
    """
    problems: dict[str, str] = {}
    if date_of_birth is not None and date_of_birth > today:
        problems["date_of_birth"] = "The date of birth is in the future."
    elif date_of_birth is not None and date_of_birth < EARLIEST_BIRTH:
        problems["date_of_birth"] = "Check the year of birth: it is before 1900."
    if offence_date is not None and offence_date > today:
        problems["offence_date"] = "The offence date is in the future."
    elif _before(offence_date, date_of_birth):
        problems["offence_date"] = "The offence date is before the offender's date of birth."
    if arrest_date is not None and arrest_date > today:
        problems["arrest_date"] = "The arrest date is in the future."
    elif _before(arrest_date, offence_date):
        problems["arrest_date"] = "The arrest date is before the offence date."
    if _before(offence_date, last_violence_on):
        problems["last_violence_on"] = (
            "Enter convictions or cautions for violence before this offence only."
        )
    elif _before(last_violence_on, date_of_birth):
        problems["last_violence_on"] = "This date is before the offender's date of birth."
    if custody_reference is not None and not CUSTODY_REFERENCE.match(
        normalise_custody_reference(custody_reference)
    ):
        problems["custody_reference"] = (
            "A custody reference has 3 to 40 letters, digits, slashes or hyphens."
        )
    pnc = pnc_problem(pnc_id) if pnc_id is not None else None
    if pnc:
        problems["pnc_id"] = pnc
    return problems


def _before(day: datetime.date | None, other: datetime.date | None) -> bool:
    """Say whether both dates are known and the first is earlier."""
    return day is not None and other is not None and day < other


def consent_problems(
    *,
    contacted: bool | None,
    contacted_on: datetime.date | None,
    risk_raised: bool | None,
    risk_details: str,
    decision_given: bool | None,
    decided_on: datetime.date | None,
    offence_date: datetime.date,
    today: datetime.date,
) -> dict[str, str]:
    """Return a message per field of the victim and consent form that cannot be true.

    None is an answer the form refused already; the checks that do not need it still run.
    """
    problems: dict[str, str] = {}
    if contacted and contacted_on is None:
        problems["contacted_on"] = "Enter the date the victim was contacted."
    elif contacted_on is not None and contacted is False:
        problems["contacted_on"] = "Leave this empty: the victim has not been contacted."
    elif contacted_on is not None and contacted_on > today:
        problems["contacted_on"] = "The contact date is in the future."
    elif _before(contacted_on, offence_date):
        problems["contacted_on"] = "The contact date is before the offence date."
    if risk_raised and not risk_details.strip():
        problems["risk_details"] = "Describe the risk the victim raised."
    if decided_on is not None and decided_on > today:
        problems["decided_on"] = "The date of the decision is in the future."
    elif _before(decided_on, offence_date):
        problems["decided_on"] = "The date of the decision is before the offence date."
    if decision_given and contacted is False:
        problems["decision"] = "Consent can only be recorded after the victim has been contacted."
    return problems
