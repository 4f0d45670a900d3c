"""What the upload page tells the data manager of each column of a re-offence extract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outcomes.models import RecordStatus, VictimRelationship
from outcomes.rows import STATUSES, WIDTHS


@dataclass(frozen=True)
class Column:
    name: str
    holds: str
    example: str


def _choices(values: Any, keep: Any = None) -> str:
    return ", ".join(
        f"{value} ({label.lower()})"
        for value, label in values.choices
        if keep is None or value in keep
    )


# In outcomes/rows.py's order (a test checks they are the columns it reads).
UPLOAD_COLUMNS = [
    Column(
        "record_id",
        "The records system's own reference for the record, the same each time it is sent "
        f"(up to {WIDTHS['record_id']} characters).",
        "HC-2025-004211",
    ),
    Column("person_id", "The man's PNC ID, check letter included.", "19/0812345X"),
    Column(
        "offence_date",
        "The day of the offence, written 2025-03-31 or 31/03/2025.",
        "2025-03-31",
    ),
    Column(
        "offence_code",
        "The Home Office offence code, as in the trial's Crime Harm Index "
        f"(up to {WIDTHS['offence_code']} characters).",
        "105/01",
    ),
    Column(
        "victim_relationship",
        f"Who the victim was: {_choices(VictimRelationship)}. The same partner is the "
        "victim of the offence that brought him into the trial.",
        "same_partner",
    ),
    Column(
        "record_status",
        f"How far the record went: {_choices(RecordStatus, STATUSES)}.",
        "arrest",
    ),
]
