"""Import one file or page of re-offence rows atomically: all rows or none, with an error report.

Rows are read one at a time and inserted in batches inside one transaction, so memory stays flat
as the file grows. A bad row stops the inserting but not the reading: every bad row is reported,
then the transaction is rolled back and the file is kept, sealed, in quarantine (files.py).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from common.crypto import SEALED_SUFFIX, SealedWriter, encrypt
from common.models import User
from common.services import audit_record
from outcomes.extracts import FileRejectedError, Rows
from outcomes.models import ImportRun, RecordSource, ReoffenceRecord, RunStatus
from outcomes.rows import COMPARED, ParsedRow, RowError, changed_message, parse_row
from outcomes.services.files import quarantine, quarantine_dir
from trial.selectors import allocations

BATCH_SIZE = 2000  # rows per INSERT; also keeps SQLite under its bound-parameter limit
ERRORS_SHOWN = 50  # kept on the run for the page; the downloadable report has them all


class _RollbackError(Exception):
    """Raised inside the transaction so that a file with bad rows leaves nothing behind."""


class ErrorReport:
    """The row-by-row error report, sealed as errors are found so memory stays flat."""

    def __init__(self, run: ImportRun) -> None:
        self.path = quarantine_dir() / f"run-{run.pk}-errors.csv{SEALED_SUFFIX}"
        self.sealed = SealedWriter(self.path)
        self.handle = io.TextIOWrapper(io.BufferedWriter(self.sealed), encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(["row", "column", "error"])

    def add(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.writer.writerow([error.row, error.column, error.message])

    def keep(self) -> str:
        self.handle.close()
        return str(self.path)

    def discard(self) -> None:
        self.sealed.abandon()  # closing then writes nothing and leaves no file
        self.handle.close()


@dataclass
class _Tally:
    total: int = 0
    valid: int = 0
    error_count: int = 0
    shown: list[RowError] = field(default_factory=list)


Numbered = Iterator[tuple[int, ParsedRow]]  # a file's row number (or a push's index) and row
STORED, EARLIER = "is stored already", "came earlier in this file (row {})"


def _valid_rows(rows: Rows, today: datetime.date, tally: _Tally, report: ErrorReport) -> Numbered:
    """Yield good rows until the first bad one; after it, keep checking to report every error."""
    for number, raw in rows:
        tally.total += 1
        width = raw.get("__width__")
        parsed, problems = (
            (None, [RowError(number, "*", str(width))]) if width else parse_row(number, raw, today)
        )
        if parsed is None:
            tally.error_count += 1
            if len(tally.shown) < ERRORS_SHOWN:
                tally.shown.extend(problems)
            report.add(problems)
            continue
        tally.valid += 1
        if not tally.error_count:
            yield number, parsed


def _values(row: ParsedRow) -> tuple[object, ...]:
    return tuple(getattr(row, attr) for _, attr in COMPARED)


def _changes(number: int, record_id: str, where: str, now: tuple, before: tuple) -> list[RowError]:
    return [
        RowError(number, column, changed_message(record_id, where, column))
        for (column, _), a, b in zip(COMPARED, now, before, strict=True)
        if a != b
    ]


def _insert_orm(source: RecordSource, run: ImportRun, rows: Numbered) -> list[RowError]:
    """Insert in batches with bulk_create; a known record id is skipped, or an error if changed."""
    batch: list[tuple[int, ParsedRow]] = []
    first: dict[str, tuple[int, tuple[object, ...]]] = {}  # this file's record ids so far
    errors: list[RowError] = []
    for numbered in rows:
        batch.append(numbered)
        if len(batch) >= BATCH_SIZE:
            errors += _flush(source, run, batch, first)
            batch = []
    if batch:
        errors += _flush(source, run, batch, first)
    return errors


def _flush(
    source: RecordSource,
    run: ImportRun,
    batch: list[tuple[int, ParsedRow]],
    first: dict[str, tuple[int, tuple[object, ...]]],
) -> list[RowError]:
    ids = [row.record_id for _, row in batch]
    attrs = [attr for _, attr in COMPARED]
    stored = {
        values[0]: tuple(values[1:])
        for values in ReoffenceRecord.objects.filter(
            source=source, source_record_id__in=ids
        ).values_list("source_record_id", *attrs)
    }
    people = dict(
        allocations(trial=source.trial_id)
        .filter(person_key__in={row.person_key for _, row in batch})
        .values_list("person_key", "id")
    )
    new: list[ReoffenceRecord] = []
    errors: list[RowError] = []
    now = timezone.now()
    for number, row in batch:
        values = _values(row)
        if row.record_id in stored:
            errors += _changes(number, row.record_id, STORED, values, stored[row.record_id])
            continue
        if row.record_id in first:
            earlier, before = first[row.record_id]
            errors += _changes(number, row.record_id, EARLIER.format(earlier), values, before)
            continue
        first[row.record_id] = (number, values)
        new.append(
            ReoffenceRecord(
                source=source,
                source_record_id=row.record_id,
                import_run=run,
                person_identifier=row.identifier,
                person_key=row.person_key,
                offence_date=row.offence_date,
                offence_code=row.offence_code,
                victim_relationship=row.victim_relationship,
                record_status=row.record_status,
                allocation_id=people.get(row.person_key),
                created_at=now,
            )
        )
    # ignore_conflicts: a concurrent import (the source's row lock makes it rare).
    ReoffenceRecord.objects.bulk_create(new, ignore_conflicts=True)
    return errors


STAGE = """CREATE TEMP TABLE outcomes_stage (
    line bigserial, number bigint, record_id text, person_identifier text, person_key text,
    offence_date date, offence_code text, victim_relationship text, record_status text
) ON COMMIT DROP"""
MERGE = """INSERT INTO outcomes_reoffencerecord (
    source_id, source_record_id, import_run_id, person_identifier, person_key, offence_date,
    offence_code, victim_relationship, record_status, allocation_id, created_at)
SELECT %s, s.record_id, %s, s.person_identifier, s.person_key, s.offence_date, s.offence_code,
       s.victim_relationship, s.record_status, a.id, %s
FROM outcomes_stage s
LEFT JOIN trial_allocation a ON a.trial_id = %s AND a.person_key = s.person_key
ORDER BY s.line
ON CONFLICT (source_id, source_record_id) DO NOTHING"""


def _insert_copy(source: RecordSource, run: ImportRun, rows: Numbered) -> list[RowError]:
    """PostgreSQL: stream rows with COPY into a staging table, then merge them in one INSERT.

    Same outcome as _insert_orm (a record id again with the same values skipped, with others an
    error; people matched by exact person key) at a fraction of the cost of building 100,000
    model instances.
    """
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor, inside Django's transaction
        cursor.execute(STAGE)
        columns = "number, record_id, person_identifier, person_key, offence_date, offence_code, "
        columns += "victim_relationship, record_status"
        with cursor.copy(f"COPY outcomes_stage ({columns}) FROM STDIN") as copy:
            for number, row in rows:
                copy.write_row(
                    (
                        number,
                        row.record_id,
                        encrypt(row.identifier),
                        row.person_key,
                        row.offence_date,
                        row.offence_code,
                        row.victim_relationship,
                        row.record_status,
                    )
                )
        errors = _staged_changes(cursor, source)
        if not errors:
            cursor.execute(MERGE, [source.pk, run.pk, timezone.now(), source.trial_id])
        cursor.execute("DROP TABLE outcomes_stage")
    return errors


# Staged rows whose record id the source holds already, or an earlier row of the file has, with
# other values: one flag per column of COMPARED, in its order.
CHANGED_STORED = """SELECT s.number, s.record_id, NULL,
    s.person_key IS DISTINCT FROM b.person_key, s.offence_date IS DISTINCT FROM b.offence_date,
    s.offence_code IS DISTINCT FROM b.offence_code,
    s.victim_relationship IS DISTINCT FROM b.victim_relationship,
    s.record_status IS DISTINCT FROM b.record_status
FROM outcomes_stage s
JOIN outcomes_reoffencerecord b ON b.source_id = %s AND b.source_record_id = s.record_id
WHERE (s.person_key, s.offence_date, s.offence_code, s.victim_relationship, s.record_status)
    IS DISTINCT FROM (b.person_key, b.offence_date, b.offence_code, b.victim_relationship,
    b.record_status)
ORDER BY s.line"""
CHANGED_IN_FILE = """SELECT s.number, s.record_id, b.number,
    s.person_key IS DISTINCT FROM b.person_key, s.offence_date IS DISTINCT FROM b.offence_date,
    s.offence_code IS DISTINCT FROM b.offence_code,
    s.victim_relationship IS DISTINCT FROM b.victim_relationship,
    s.record_status IS DISTINCT FROM b.record_status
FROM outcomes_stage s
JOIN (SELECT DISTINCT ON (record_id) * FROM outcomes_stage ORDER BY record_id, line) b
    ON b.record_id = s.record_id AND b.line < s.line
WHERE NOT EXISTS (  -- a stored id is compared with what is stored (above), not with the file
    SELECT 1 FROM outcomes_reoffencerecord r
    WHERE r.source_id = %s AND r.source_record_id = s.record_id
) AND (s.person_key, s.offence_date, s.offence_code, s.victim_relationship, s.record_status)
    IS DISTINCT FROM (b.person_key, b.offence_date, b.offence_code, b.victim_relationship,
    b.record_status)
ORDER BY s.line"""


def _staged_changes(cursor: object, source: RecordSource) -> list[RowError]:
    """Every staged row that would change a record: its id known with other values."""
    errors: list[RowError] = []
    for sql, params in ((CHANGED_STORED, [source.pk]), (CHANGED_IN_FILE, [source.pk])):
        cursor.execute(sql, params)  # type: ignore[attr-defined]
        for number, record_id, earlier, *differs in cursor.fetchall():  # type: ignore[attr-defined]
            where = STORED if earlier is None else EARLIER.format(earlier)
            errors += [
                RowError(number, column, changed_message(record_id, where, column))
                for (column, _), differ in zip(COMPARED, differs, strict=True)
                if differ
            ]
    return sorted(errors, key=lambda e: e.row)


def rows_store(*, source: RecordSource, run: ImportRun, rows: Numbered) -> list[RowError]:
    """Insert checked rows for a run, matched to allocations, or return why it would change one.

    A record id the source holds (or that came earlier in the rows) is skipped when its values
    are the same; with other values it is an error and nothing is inserted: a record is never
    changed by sending it again, whichever door it comes through.
    """
    insert = _insert_copy if connection.vendor == "postgresql" else _insert_orm
    return insert(source, run, rows)


def records_import(
    *,
    run: ImportRun,
    rows: Rows,
    keep: Path | None = None,
    page: bytes | None = None,
    by: User | None = None,
    today: datetime.date | None = None,
) -> ImportRun:
    """Import the rows of one run all-or-nothing; a refused file goes to quarantine."""
    tally = _Tally()
    with transaction.atomic():  # its own transaction: kept whatever becomes of the import
        audit_record(actor=by, action="records.import_start", obj=run, source=run.source_id)
    report = ErrorReport(run)
    try:
        with transaction.atomic():
            source = RecordSource.objects.select_for_update().get(pk=run.source_id)
            valid = _valid_rows(rows, today or timezone.localdate(), tally, report)
            changed = rows_store(source=source, run=run, rows=valid)
            if changed and not tally.error_count:  # after a bad row, nothing was stored to compare
                tally.error_count = len({e.row for e in changed})
                tally.shown = changed[:ERRORS_SHOWN]
                report.add(changed)
            if tally.error_count:
                raise _RollbackError
            stored = ReoffenceRecord.objects.filter(import_run=run)
            run.added = stored.count()
            run.unmatched = stored.filter(allocation__isnull=True).count()
            run.rows, run.duplicates = tally.total, tally.valid - run.added
            run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
            run.save()
            report.discard()
            audit_record(
                actor=by,
                action="records.import",
                obj=run,
                rows=run.rows,
                added=run.added,
                duplicates=run.duplicates,
                unmatched=run.unmatched,
            )
            return run
    except _RollbackError:
        run.error_report = report.keep()
        message = (
            f"{tally.error_count} of {tally.total} rows refused; nothing from this file was stored."
        )
        return _reject(run, message, tally.shown, tally.error_count, tally.total, keep, page, by)
    except FileRejectedError as exc:
        report.add([RowError(0, "*", str(exc))])
        run.error_report = report.keep()
        return _reject(run, str(exc), [], 1, tally.total, keep, page, by)
    except Exception as exc:
        # Not the file's fault (database down, a bug): nothing was stored; show it and re-raise.
        report.discard()
        with transaction.atomic():
            ImportRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                errors=[
                    {"row": 0, "column": "*", "message": f"Import failed: {type(exc).__name__}"}
                ],
            )
            audit_record(
                actor=by, action="records.import_failed", obj=run, error=type(exc).__name__
            )
        raise


def _reject(
    run: ImportRun,
    message: str,
    errors: list[RowError],
    error_count: int,
    total: int,
    keep: Path | None,
    page: bytes | None,
    by: User | None,
) -> ImportRun:
    with transaction.atomic():
        if keep is not None or page is not None:
            run.file_path = quarantine(run, path=keep, content=page)
        run.status, run.finished_at = RunStatus.REJECTED, timezone.now()
        run.rows, run.added, run.duplicates, run.unmatched = total, 0, 0, 0
        run.error_count = error_count
        run.errors = [{"row": 0, "column": "*", "message": message}] + [
            {"row": e.row, "column": e.column, "message": e.message} for e in errors
        ]
        run.save()
        audit_record(actor=by, action="records.reject", obj=run, errors=error_count)
    return run
