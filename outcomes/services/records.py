"""Writes: sources, pulls, uploads and manual entry of re-offence records."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files import File
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from common.exceptions import ConflictError, DomainError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from outcomes.cells import size_problem
from outcomes.extracts import csv_rows
from outcomes.models import ImportRun, RecordSource, ReoffenceRecord, RunStatus, SourceKind
from outcomes.rows import parse_row
from outcomes.services.files import upload_store
from outcomes.services.importing import records_import
from outcomes.sources.address import folder_check, url_check
from outcomes.sources.base import SourceUnavailableError, reader_for
from trial.selectors import allocations

if TYPE_CHECKING:
    from trial.models import Trial

DATA_ROLES = (Role.DATA_MANAGER, Role.TRIAL_MANAGER)  # who loads and configures a trial's data
STALE_RUN = timedelta(hours=1)  # a run still "running" after this lost its worker


@dataclass
class PullResult:
    runs: list[ImportRun] = field(default_factory=list)
    failure: SourceUnavailableError | None = None


PULLED_KINDS = (SourceKind.FOLDER, SourceKind.HTTP)
# Settings of a source a trial manager may change (the token has its own keep/replace/remove).
SOURCE_FIELDS = (
    "name",
    "is_active",
    "folder",
    "url",
    "timeout_seconds",
    "max_attempts",
    "backoff_seconds",
)


def source_check(*, kind: str, folder: str = "", url: str = "", **options: object) -> None:
    """Refuse a source's settings that break a rule: where it points and how it retries."""
    if kind not in PULLED_KINDS:
        raise DomainError("Only folder and HTTP sources are configured here.", field="kind")
    if kind == SourceKind.FOLDER:
        folder_check(folder)
        if url:
            raise DomainError("A folder source has no URL.", field="url")
    if kind == SourceKind.HTTP:
        if not url:
            raise DomainError("An HTTP source needs the endpoint's URL.", field="url")
        url_check(url)
        if folder:
            raise DomainError("An HTTP source has no folder.", field="folder")
    timeout = options.get("timeout_seconds")
    if timeout is not None and not 0 < float(timeout) <= 300:  # type: ignore[arg-type]
        raise DomainError("Wait at most 300 seconds for an answer.", field="timeout_seconds")
    attempts = options.get("max_attempts")
    if attempts is not None and not 1 <= int(attempts) <= 10:  # type: ignore[call-overload]
        raise DomainError("Try between 1 and 10 times.", field="max_attempts")


def source_create(
    *,
    trial: Trial,
    name: str,
    kind: str,
    folder: str = "",
    url: str = "",
    token: str = "",
    by: User | None,
    **options: float,
) -> RecordSource:
    """Configure a record source for a trial."""
    membership_check(by, trial, *DATA_ROLES)
    source_check(kind=kind, folder=folder, url=url, **options)
    with transaction.atomic():
        if RecordSource.objects.filter(trial=trial, name=name).exists():
            raise ConflictError(f"Trial {trial.code} has a source named {name} already.")
        source = RecordSource.objects.create(
            trial=trial, name=name, kind=kind, folder=folder, url=url, token=token, **options
        )
        audit_record(actor=by, action="source.create", obj=source, kind=kind, trial=trial.code)
    return source


def source_update(
    *,
    source: RecordSource,
    values: Mapping[str, object],
    token: str | None = None,
    by: User | None,
) -> RecordSource:
    """Change a source's settings; token None keeps it, "" removes it, text replaces it."""
    membership_check(by, source.trial, *DATA_ROLES)
    unknown = set(values) - set(SOURCE_FIELDS)
    if unknown:
        raise DomainError(f"{', '.join(sorted(unknown))} cannot be changed here.")
    with transaction.atomic():
        locked = RecordSource.objects.select_for_update().get(pk=source.pk)
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, values[name])
        source_check(
            kind=locked.kind,
            folder=locked.folder,
            url=locked.url,
            timeout_seconds=locked.timeout_seconds,
            max_attempts=locked.max_attempts,
        )
        if "name" in changed and (
            RecordSource.objects.filter(trial_id=locked.trial_id, name=locked.name)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ConflictError("This trial has a source of that name already.", field="name")
        if token is not None and token != locked.token:
            locked.token = token
            changed.append("token")
        if changed:
            locked.save(update_fields=changed)
            # The token's value is never audited: only that it changed.
            audit_record(actor=by, action="source.update", obj=locked, fields=changed)
    return locked


def _pushed_source(trial: Trial, kind: str, by: User | None) -> RecordSource:
    name = SourceKind(kind).label
    with transaction.atomic():
        source, created = RecordSource.objects.get_or_create(trial=trial, name=name, kind=kind)
        if created:
            audit_record(actor=by, action="source.create", obj=source, kind=kind, trial=trial.code)
    return source


def _close_stale_runs(source: RecordSource) -> None:
    """Mark runs whose worker died mid-import: their transaction rolled back, nothing stored."""
    with transaction.atomic():
        stale = ImportRun.objects.select_for_update().filter(
            source=source, status=RunStatus.RUNNING, started_at__lt=timezone.now() - STALE_RUN
        )
        ids = list(stale.values_list("pk", flat=True))
        if not ids:
            return
        ImportRun.objects.filter(pk__in=ids).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            errors=[{"row": 0, "column": "*", "message": "Interrupted; nothing was stored."}],
        )
        audit_record(actor=None, action="records.import_interrupted", obj=source, runs=ids)


def source_pull(
    *, source: RecordSource, by: User | None = None, today: datetime.date | None = None
) -> PullResult:
    """Import every new file or page of a source, each atomically; record a failure, not raise."""
    membership_check(by, source.trial, *DATA_ROLES)  # the asker may have lost the role since
    reader = reader_for(source.kind)
    if reader is None:
        raise DomainError(f"{source.get_kind_display()} sources are not pulled.")
    _close_stale_runs(source)
    result = PullResult()
    units = reader.units(source)
    while True:
        try:
            unit = next(units)
        except StopIteration:
            break
        except SourceUnavailableError as exc:
            with transaction.atomic():
                run = ImportRun.objects.create(
                    source=source,
                    label=exc.label[:300],
                    status=RunStatus.FAILED,
                    attempts=exc.attempts,
                    error_count=1,
                    errors=[{"row": 0, "column": "*", "message": exc.message}],
                    finished_at=timezone.now(),
                    started_by=by,
                )
                audit_record(actor=by, action="source.failed", obj=run, attempts=exc.attempts)
            result.runs.append(run)
            result.failure = exc
            break
        run = ImportRun.objects.create(
            source=source, label=unit.label[:300], attempts=unit.attempts, started_by=by
        )
        run = records_import(
            run=run, rows=unit.rows, keep=unit.keep, page=unit.page, by=by, today=today
        )
        kept = unit.done(run.status)
        if kept is not None:  # the extract sealed into the drop folder's imported/
            run.file_path = str(kept)
            ImportRun.objects.filter(pk=run.pk).update(file_path=run.file_path)
        result.runs.append(run)
    return result


def upload_size_check(*, size: int) -> None:
    """Refuse an upload over IMPORT_MAX_BYTES (called with the request's length, before reading)."""
    problem = size_problem(size)
    if problem:
        raise DomainError(problem, field="extract")


def upload_receive(*, trial: Trial, extract: File, by: User | None) -> ImportRun:
    """Keep an uploaded extract as a pending run of the trial's upload source; import it after."""
    membership_check(by, trial, *DATA_ROLES)
    path = upload_store(extract)
    with transaction.atomic():
        source = _pushed_source(trial, SourceKind.UPLOAD, by)
        run = ImportRun.objects.create(
            source=source,
            label=(extract.name or path.name)[:300],
            file_path=str(path),
            started_by=by,
        )
        audit_record(actor=by, action="records.upload", obj=run)
        transaction.on_commit(partial(_upload_import_queue, run.pk))
    return run


def source_pull_request(*, source: RecordSource, by: User) -> None:
    """Ask for a pull of one source now (the data manager's button): audited, queued on commit."""
    membership_check(by, source.trial, *DATA_ROLES)
    with transaction.atomic():
        audit_record(actor=by, action="source.pull_request", obj=source, trial=source.trial.code)
        transaction.on_commit(partial(_source_pull_queue, source.pk, by.pk))


def _upload_import_queue(run_id: int) -> None:
    from outcomes.tasks import upload_import_task  # the tasks import these services

    upload_import_task.delay(run_id)


def _source_pull_queue(source_id: int, user_id: int) -> None:
    from outcomes.tasks import source_pull_task  # the tasks import these services

    source_pull_task.delay(source_id, user_id)


def upload_import(*, run: ImportRun, by: User | None = None) -> ImportRun:
    """Import an uploaded extract (safe to run twice: a finished run is left as it is)."""
    if run.status != RunStatus.RUNNING:
        return run
    path = Path(run.file_path)
    return records_import(run=run, rows=csv_rows(path), keep=path, by=by)


def record_enter(*, trial: Trial, values: dict[str, str], by: User | None) -> ReoffenceRecord:
    """Enter one record by hand; refuse it with the field's error if a check fails."""
    membership_check(by, trial, *DATA_ROLES)
    today = timezone.localdate()
    parsed, errors = parse_row(1, values, today)
    if errors:
        raise DomainError(errors[0].message, field=errors[0].column)
    assert parsed is not None
    source = _pushed_source(trial, SourceKind.MANUAL, by)
    if ReoffenceRecord.objects.filter(source=source, source_record_id=parsed.record_id).exists():
        raise ConflictError(
            f"A record with id {parsed.record_id} was entered already.", field="record_id"
        )
    run = ImportRun.objects.create(source=source, label="manual entry", started_by=by)
    run = records_import(run=run, rows=[(1, values)], by=by, today=today)
    record = ReoffenceRecord.objects.filter(import_run=run).first()
    if record is None:  # a concurrent entry of the same id got there first
        raise ConflictError(
            f"A record with id {parsed.record_id} was entered already.", field="record_id"
        )
    return record


def records_rematch(*, trial: Trial, by: User | None = None) -> int:
    """Link unmatched records to participants randomised since (exact person key only)."""
    membership_check(by, trial, *DATA_ROLES)
    same_person = allocations(trial=trial).filter(person_key=OuterRef("person_key"))
    with transaction.atomic():
        count = ReoffenceRecord.objects.filter(
            source__trial=trial,
            allocation__isnull=True,
            person_key__in=allocations(trial=trial).values("person_key"),
        ).update(allocation=Subquery(same_person.values("id")[:1]))
        if count:
            audit_record(actor=by, action="records.rematch", obj=trial, matched=count)
    return count
