"""The two files of a trial run elsewhere: their columns, row checks and derived keys.

Checks here look at one row at a time; checks across rows and against the stored trial are in
outcomes/history.py.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from common.crypto import person_key
from outcomes.cells import date_problem, shown, text_problem, whole_number, width
from outcomes.models import HistoricalBaseline, RecordStatus, ReoffenceRecord, VictimRelationship
from outcomes.rows import RELATIONSHIPS, STATUS_ALIASES, STATUS_NAMES, STATUSES, parse_date
from participants.selectors import DashRisk
from trial.services import NAME_PATTERN

PARTICIPANT_COLUMNS = (
    "trial_id",
    "stratum",
    "randomised_on",
    "arm",
    "workshops_attended",
    "age",
    "offence_type",
    "dash_risk",
)
REOFFENCE_COLUMNS = ("trial_id", "offence_date", "offence_code", "victim_relationship", "record_id")
MIN_AGE, MAX_AGE = 10, 120  # the database check allows the same range
# Lengths of the trial's columns (trial.models, reached here only through its services):
# Allocation.participant_key, Arm.code, and a stratum value within Stratum.key (200).
TRIAL_ID_LONGEST, ARM_LONGEST, STRATUM_LONGEST = 40, 30, 100
DASH_RISKS = frozenset(DashRisk.values)


@dataclass(frozen=True)
class HistoryError:
    file: str
    row: int  # line in the file, header = 1; 0 for the file as a whole
    column: str
    message: str


@dataclass(frozen=True)
class HistoryParticipant:
    row: int
    participant_key: str
    stratum: str  # the stratification value, "" when the trial is not stratified
    randomised_on: datetime.date
    arm: str
    workshops_attended: int | None
    age: int | None
    offence_type: str
    dash_risk: str

    def facts(self) -> tuple[object, ...]:
        """What must match when the same participant is imported again."""
        return (
            self.arm,
            self.stratum,
            self.randomised_on,
            self.workshops_attended,
            self.age,
            self.offence_type,
            self.dash_risk,
        )


FACT_NAMES = (
    "arm",
    "stratum",
    "randomised_on",
    "workshops_attended",
    "age",
    "offence_type",
    "dash_risk",
)


@dataclass(frozen=True)
class HistoryOffence:
    row: int
    participant_key: str
    offence_date: datetime.date
    offence_code: str
    victim_relationship: str
    record_id: str
    record_status: str

    def facts(self) -> tuple[object, ...]:
        return (
            self.participant_key,
            self.offence_date,
            self.offence_code,
            self.victim_relationship,
            self.record_status,
        )


def participant_key_of(code: str, trial_id: str) -> str:
    """Return the trial ID as stored: CARA-0042 as is, a bare 0042 prefixed with the code."""
    return trial_id if trial_id.startswith(f"{code}-") else f"{code}-{trial_id}"


def trial_id_problem(code: str, text: str, key: str) -> str:
    """Return why a trial ID is not one of trial `code`'s, or "" (it is never renamed).

    Trial IDs are CODE-NNNN, as screening numbers them (participants' services); a bare NNNN
    is read as CODE-NNNN. Anything else, another trial's ID above all, is refused rather than
    prefixed: CARA-0042 must not become OTHER-CARA-0042 without anyone noticing.
    """
    if len(key) > TRIAL_ID_LONGEST:
        return f"trial_id is longer than {TRIAL_ID_LONGEST} characters."
    if re.fullmatch(rf"{re.escape(code)}-[0-9]{{4,}}", key):
        return ""
    return (
        f"trial_id '{shown(text)}' is not a trial ID of trial {code}: write {code}-0042 "
        f"(or 0042); an ID of another trial is never renamed."
    )


def history_person_key(code: str, participant_key: str) -> str:
    """Return a stable person key for a history without PNC IDs (documented in the docs)."""
    return person_key(f"{code}:{participant_key}")


def token(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


class _Row:
    """Read the columns of one raw row, collecting the errors."""

    def __init__(self, file: str, number: int, raw: Mapping[str, object]) -> None:
        self.file, self.number, self.raw = file, number, raw
        self.errors: list[HistoryError] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(HistoryError(self.file, self.number, column, message))

    def text(self, column: str, *, required: bool = True, longest: int = 0) -> str:
        found = self.raw.get(column)
        value = "" if found is None else str(found)
        problem = text_problem(column, value, longest)
        if problem:
            self.error(column, problem)
            return ""  # refused once, never quoted again in another message
        if required and not value.strip():
            self.error(column, f"{column} is empty.")
        return value.strip()

    def date(self, column: str, today: datetime.date) -> datetime.date | None:
        text = self.text(column)
        if not text:
            return None
        try:
            day = parse_date(text)
        except ValueError:
            self.error(column, f"'{shown(text, 20)}' is not a date: use 2025-03-31.")
            return None
        problem = date_problem(day, today)
        if problem:
            self.error(column, problem)
            return None
        return day

    def number_in(self, column: str, low: int, high: int) -> int | None:
        text = self.text(column, required=False)
        if not text:
            return None
        number, problem = whole_number(text, low, high)
        if problem:
            self.error(column, problem)
        return number

    def trial_id(self, code: str) -> str:
        text = self.text("trial_id")
        key = participant_key_of(code, text)
        problem = trial_id_problem(code, text, key) if text else ""
        if problem:
            self.error("trial_id", problem)
        return key

    def malformed(self) -> bool:
        width = self.raw.get("__width__")
        if width:
            self.error("*", str(width))
        return bool(width)


def parse_participant(
    file: str, number: int, raw: Mapping[str, object], *, code: str, today: datetime.date
) -> tuple[HistoryParticipant | None, list[HistoryError]]:
    """Check one participant row on its own; return it parsed, or the reasons it is refused."""
    row = _Row(file, number, raw)
    if row.malformed():
        return None, row.errors
    key = row.trial_id(code)
    stratum = token(row.text("stratum", required=False, longest=STRATUM_LONGEST))
    if stratum and not NAME_PATTERN.match(stratum):
        row.error("stratum", f"'{stratum[:30]}': use lower-case letters, digits, - and _.")
    randomised_on = row.date("randomised_on", today)
    arm = token(row.text("arm", longest=ARM_LONGEST))
    if arm and not NAME_PATTERN.match(arm):
        row.error("arm", f"'{arm[:30]}' is not an arm code (lower-case letters, digits, -, _).")
    workshops = row.number_in("workshops_attended", 0, 2)
    age = row.number_in("age", MIN_AGE, MAX_AGE)
    offence_type = token(
        row.text("offence_type", required=False, longest=width(HistoricalBaseline, "offence_type"))
    )
    dash_risk = token(row.text("dash_risk", required=False))
    if dash_risk and dash_risk not in DASH_RISKS:
        row.error("dash_risk", f"'{dash_risk[:20]}' is not one of {', '.join(DashRisk.values)}.")
    if row.errors or randomised_on is None:
        return None, row.errors
    parsed = HistoryParticipant(
        row=number,
        participant_key=key,
        stratum=stratum,
        randomised_on=randomised_on,
        arm=arm,
        workshops_attended=workshops,
        age=age,
        offence_type=offence_type,
        dash_risk=dash_risk,
    )
    return parsed, []


def parse_offence(
    file: str, number: int, raw: Mapping[str, object], *, code: str, today: datetime.date
) -> tuple[HistoryOffence | None, list[HistoryError]]:
    """Check one re-offence row on its own; return it parsed, or the reasons it is refused."""
    row = _Row(file, number, raw)
    if row.malformed():
        return None, row.errors
    key = row.trial_id(code)
    offence_date = row.date("offence_date", today)
    offence_code = row.text("offence_code", longest=width(ReoffenceRecord, "offence_code"))
    relationship = token(row.text("victim_relationship"))
    if relationship and relationship not in RELATIONSHIPS:
        row.error(
            "victim_relationship",
            f"'{relationship[:30]}' is not one of {', '.join(VictimRelationship.values)}.",
        )
    record_id = row.text("record_id", longest=width(ReoffenceRecord, "source_record_id"))
    # Optional column: most histories do not say whether a record was an arrest or a charge.
    status = token(row.text("record_status", required=False)) or RecordStatus.NOT_RECORDED
    status = STATUS_ALIASES.get(status, status)
    if status != RecordStatus.NOT_RECORDED and status not in STATUSES:
        row.error("record_status", f"'{status[:30]}' is not one of {STATUS_NAMES}.")
    if row.errors or offence_date is None:
        return None, row.errors
    parsed = HistoryOffence(
        row=number,
        participant_key=key,
        offence_date=offence_date,
        offence_code=offence_code,
        victim_relationship=relationship,
        record_id=record_id,
        record_status=status,
    )
    return parsed, []
