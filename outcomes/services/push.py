"""A records system's push of re-offence records: all or nothing, idempotent by record id.

The rows are the upload's columns (outcomes.rows.COLUMNS) as JSON objects. Each is checked with
the file import's own rules (parse_row), after the checks only JSON needs (unknown or missing
fields, values that are not text). A record id the source holds already is a duplicate when
its values are the same and a row error when they differ: a push never changes a record (the
file import's rule too, outcomes/services/importing.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from common.exceptions import DomainError
from common.memberships import membership_check
from common.models import User
from common.services import audit_record
from outcomes.cells import shown
from outcomes.models import ImportRun, RecordSource, ReoffenceRecord, RunStatus
from outcomes.rows import COLUMNS, COMPARED, ParsedRow, changed_message, parse_row
from outcomes.services.importing import ERRORS_SHOWN, rows_store
from outcomes.services.records import DATA_ROLES

PUSH_MAX_RECORDS = 10_000
PUSH_LABEL = "API push"
LOOKUP_BATCH = 2000  # record ids per query for the stored records' values
KNOWN = frozenset(COLUMNS)


class PushError(TypedDict):
    index: int  # 0-based, in the order sent
    field: str
    message: str


class PushRejectedError(DomainError):
    """A push had bad records: nothing was stored; `errors` names each by index and field."""

    def __init__(self, errors: list[PushError], total: int) -> None:
        rows = len({e["index"] for e in errors})
        super().__init__(f"{rows} of {total} records refused; nothing from this push was stored.")
        self.errors = errors


@dataclass(frozen=True)
class PushResult:
    run: ImportRun
    added: int
    duplicates: int
    unmatched: int


def _error(index: int, field: str, message: str) -> PushError:
    return {"index": index, "field": field, "message": message}


def _shape_errors(index: int, raw: object) -> tuple[dict[str, object], list[PushError]]:
    """Return the row's text cells and what JSON got wrong (not an object, fields, types)."""
    if not isinstance(raw, Mapping):
        message = f"Each record is an object with the fields {', '.join(COLUMNS)}."
        return {}, [_error(index, "*", message)]
    errors = [
        _error(index, shown(key, 40), f"{shown(key, 40)} is not a field of a record.")
        for key in raw
        if key not in KNOWN
    ]
    cells: dict[str, object] = {}
    for column in COLUMNS:
        if column not in raw:
            errors.append(_error(index, column, f"{column} is missing."))
        elif not isinstance(raw[column], str):
            kind = "null" if raw[column] is None else type(raw[column]).__name__
            errors.append(_error(index, column, f"{column} must be a string, not {kind}."))
        else:
            cells[column] = raw[column]
    return cells, errors


def _checked(
    rows: Sequence[object], today: datetime.date
) -> tuple[list[tuple[int, ParsedRow]], list[PushError]]:
    """Check every row with the file import's rules; return the good ones and every error."""
    good: list[tuple[int, ParsedRow]] = []
    errors: list[PushError] = []
    for index, raw in enumerate(rows):
        cells, problems = _shape_errors(index, raw)
        named = {p["field"] for p in problems}
        parsed: ParsedRow | None = None
        if not (problems and not cells):
            parsed, found = parse_row(index, cells, today)
            # A field already refused for its shape is not refused again as empty.
            problems += [_error(index, e.column, e.message) for e in found if e.column not in named]
        if problems:
            errors.extend(problems)
        elif parsed is not None:
            good.append((index, parsed))
    return good, errors


def _values(row: ParsedRow | Mapping[str, object]) -> dict[str, object]:
    if isinstance(row, ParsedRow):
        return {field: getattr(row, attr) for field, attr in COMPARED}
    return {field: row[attr] for field, attr in COMPARED}


def _changed(index: int, record_id: str, where: str, fields: list[str]) -> list[PushError]:
    return [_error(index, field, changed_message(record_id, where, field)) for field in fields]


def _repeats(
    source: RecordSource, good: list[tuple[int, ParsedRow]]
) -> tuple[list[ParsedRow], list[PushError]]:
    """Split the good rows into new ones and errors for record ids sent with other values."""
    ids = sorted({row.record_id for _, row in good})
    stored: dict[str, dict[str, object]] = {}
    for start in range(0, len(ids), LOOKUP_BATCH):
        found = ReoffenceRecord.objects.filter(
            source=source, source_record_id__in=ids[start : start + LOOKUP_BATCH]
        ).values("source_record_id", *(attr for _, attr in COMPARED))
        stored.update({r["source_record_id"]: _values(r) for r in found})
    sent: dict[str, tuple[int, dict[str, object]]] = {}
    new: list[ParsedRow] = []
    errors: list[PushError] = []
    for index, row in good:
        values = _values(row)
        if row.record_id in stored:
            before, where = stored[row.record_id], "is stored already"
        elif row.record_id in sent:
            first, before = sent[row.record_id]
            where = f"came earlier in this push (index {first})"
        else:
            sent[row.record_id] = (index, values)
            new.append(row)
            continue
        fields = [f for f, _ in COMPARED if values[f] != before[f]]
        errors.extend(_changed(index, row.record_id, where, fields))
    return new, errors


def _reject(
    source: RecordSource, errors: list[PushError], total: int, by: User | None
) -> PushRejectedError:
    """Record the refused push as a run (as a refused file is) and return the error to raise."""
    refusal = PushRejectedError(errors, total)
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source,
            label=PUSH_LABEL,
            status=RunStatus.REJECTED,
            rows=total,
            error_count=len(errors),
            errors=[{"row": 0, "column": "*", "message": refusal.message}]
            + [
                {"row": e["index"], "column": e["field"], "message": e["message"]}
                for e in errors[:ERRORS_SHOWN]
            ],
            finished_at=timezone.now(),
            started_by=by,
        )
        audit_record(actor=by, action="records.push_reject", obj=run, errors=len(errors))
    return refusal


def records_push(
    *,
    source: RecordSource,
    rows: Sequence[object],
    by: User | None,
    today: datetime.date | None = None,
) -> PushResult:
    """Store a push of records all or nothing, or raise PushRejectedError naming every bad row."""
    membership_check(by, source.trial, *DATA_ROLES)
    if len(rows) > PUSH_MAX_RECORDS:
        raise DomainError(
            f"A push holds at most {PUSH_MAX_RECORDS:,} records, not {len(rows):,}: "
            "send them in several pushes.",
            code="too_many",
        )
    if not rows:
        raise DomainError("The push holds no records.")
    good, errors = _checked(rows, today or timezone.localdate())  # before the lock: CPU only
    with transaction.atomic():
        locked = RecordSource.objects.select_for_update().get(pk=source.pk)
        new, changed = _repeats(locked, good)
        errors = sorted(errors + changed, key=lambda e: e["index"])
        if not errors:
            run = ImportRun.objects.create(source=locked, label=PUSH_LABEL, started_by=by)
            unexpected = rows_store(source=locked, run=run, rows=enumerate(new))
            assert not unexpected, unexpected  # _repeats refused every changed record above
            stored = ReoffenceRecord.objects.filter(import_run=run)
            run.added = stored.count()
            run.unmatched = stored.filter(allocation__isnull=True).count()
            run.rows, run.duplicates = len(rows), len(rows) - run.added
            run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
            run.save()
            audit_record(
                actor=by,
                action="records.push",
                obj=run,
                rows=run.rows,
                added=run.added,
                duplicates=run.duplicates,
                unmatched=run.unmatched,
            )
            return PushResult(run, run.added, run.duplicates, run.unmatched)
    raise _reject(source, errors, len(rows), by)
