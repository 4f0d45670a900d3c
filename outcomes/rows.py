"""One re-offence row as a source sends it: the documented columns and their checks."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from common.crypto import person_key
from common.identifiers import InvalidPNCError, normalise_pnc
from outcomes.cells import date_problem, shown, text_problem, width
from outcomes.models import RecordStatus, ReoffenceRecord, VictimRelationship

COLUMNS = (
    "record_id",
    "person_id",
    "offence_date",
    "offence_code",
    "victim_relationship",
    "record_status",
)
# What makes a record itself (column, ParsedRow attribute): compared with the stored one when
# its id comes again. The same values again is a duplicate; different values, a row error.
COMPARED = (
    ("person_id", "person_key"),
    ("offence_date", "offence_date"),
    ("offence_code", "offence_code"),
    ("victim_relationship", "victim_relationship"),
    ("record_status", "record_status"),
)
STATUS_ALIASES = {"complaint_of_crime": RecordStatus.COMPLAINT, "crime": RecordStatus.COMPLAINT}
# Computed once: an enum's .values is rebuilt on every access, which shows at 100,000 rows.
RELATIONSHIPS = frozenset(VictimRelationship.values)
# A records system always knows a record's status: "not recorded" is for imported histories only.
STATUSES = frozenset(RecordStatus.values) - {RecordStatus.NOT_RECORDED}
STATUS_NAMES = ", ".join(s for s in RecordStatus.values if s in STATUSES)
WIDTHS = {
    "record_id": width(ReoffenceRecord, "source_record_id"),
    "offence_code": width(ReoffenceRecord, "offence_code"),
}


@dataclass(frozen=True)
class ParsedRow:
    record_id: str
    identifier: str
    person_key: str
    offence_date: datetime.date
    offence_code: str
    victim_relationship: str
    record_status: str


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


def _token(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def parse_date(text: str) -> datetime.date:
    """Read an ISO 8601 date (2025-03-31) or a British one (31/03/2025)."""
    text = text.strip()
    if "/" in text:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 (a date)
    return datetime.date.fromisoformat(text)


def parse_row(
    number: int, raw: Mapping[str, object], today: datetime.date
) -> tuple[ParsedRow | None, list[RowError]]:
    """Check one row; return it parsed, or the reasons it is refused (never its PNC ID)."""
    errors: list[RowError] = []

    def value(column: str) -> str:
        found = raw.get(column)
        text = "" if found is None else str(found)
        problem = text_problem(column, text, WIDTHS.get(column, 0), quote=column != "person_id")
        if problem:
            errors.append(RowError(number, column, problem))
            return ""  # refused once, never quoted again in another message
        if not text.strip():
            errors.append(RowError(number, column, f"{column} is empty."))
        return text.strip()

    record_id, identifier = value("record_id"), value("person_id")
    date_text, code = value("offence_date"), value("offence_code")
    relationship, status = _token(value("victim_relationship")), _token(value("record_status"))
    pnc = ""
    if identifier:
        try:
            pnc = normalise_pnc(identifier)
        except InvalidPNCError as exc:
            errors.append(RowError(number, "person_id", str(exc)))
    offence_date: datetime.date | None = None
    if date_text:
        try:
            offence_date = parse_date(date_text)
        except ValueError:
            errors.append(
                RowError(
                    number,
                    "offence_date",
                    f"'{date_text[:20]}' is not a date: use 2025-03-31 or 31/03/2025.",
                )
            )
        problem = date_problem(offence_date, today) if offence_date else ""
        if problem:
            errors.append(RowError(number, "offence_date", problem))
    if relationship and relationship not in RELATIONSHIPS:
        errors.append(
            RowError(
                number,
                "victim_relationship",
                f"'{relationship[:30]}' is not one of {', '.join(VictimRelationship.values)}.",
            )
        )
    status = STATUS_ALIASES.get(status, status)
    if status and status not in STATUSES:
        errors.append(
            RowError(
                number,
                "record_status",
                f"'{status[:30]}' is not one of {STATUS_NAMES}.",
            )
        )
    if errors or offence_date is None:
        return None, errors
    return (
        ParsedRow(
            record_id=record_id,
            identifier=pnc,
            person_key=person_key(pnc),
            offence_date=offence_date,
            offence_code=code,
            victim_relationship=relationship,
            record_status=status,
        ),
        [],
    )


def changed_message(record_id: str, where: str, column: str) -> str:
    """Why a record id sent again with another value is refused (never the values: a PNC ID)."""
    return (
        f"Record {shown(record_id)} {where} with a different {column}: a record is never "
        "changed by sending it again (correct it in the records system under a new id)."
    )
