"""The extract files the app keeps, sealed with the personal-data keys, and their expiry.

Kept: an uploaded extract (from the upload until it is removed), a refused file or page and its
error report in quarantine, and a drop folder's imported extract in its imported/ sub-folder.
They are sealed (common.crypto), not deleted when the import ends, because the data manager
needs to open a refused file to see what was wrong with it; a copied disk or backup shows no
PNC ID. Every kept file is removed IMPORT_FILE_RETENTION_DAYS after it was written, by
import_files_expire (the daily beat job and `manage.py expire_import_files`), with an audit event
naming how many files and which import runs, never what they held. Files and folders are
created 0600 and 0700.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Literal

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.crypto import (
    SEALED_SUFFIX,
    SealedWriter,
    is_sealed,
    open_sealed,
    private_dir,
    seal_bytes,
    seal_file,
)
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from outcomes.models import ImportRun, RecordSource, RunStatus, SourceKind
from outcomes.sources.address import folder_problem

IMPORTED = "imported"  # a drop folder's sub-folder of extracts imported whole


def uploads_dir() -> Path:
    return private_dir(Path(settings.MEDIA_ROOT) / "outcomes" / "uploads")


def quarantine_dir() -> Path:
    return private_dir(Path(settings.OUTCOMES_QUARANTINE_DIR))


def upload_store(extract: File) -> Path:
    """Seal an uploaded extract under MEDIA_ROOT as it is read, chunk by chunk; return its path."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(extract.name or "").name)
    path = uploads_dir() / f"{uuid.uuid4().hex[:12]}-{safe or 'extract.csv'}{SEALED_SUFFIX}"
    with SealedWriter(path) as out:
        for chunk in extract.chunks():
            out.write(chunk)
    return path


def quarantine(run: ImportRun, *, path: Path | None = None, content: bytes | None = None) -> str:
    """Keep a refused file (moved, sealed if it was not) or page (sealed) for its error report."""
    if path is not None and path.exists():
        name = path.name.removesuffix(SEALED_SUFFIX)
        target = quarantine_dir() / f"run-{run.pk}-{name}{SEALED_SUFFIX}"
        if is_sealed(path):  # an upload: sealed when it arrived
            shutil.move(str(path), target)
        else:  # a drop folder's extract: not left in clear where it was dropped
            seal_file(path, target)
            path.unlink()
        return str(target)
    target = quarantine_dir() / f"run-{run.pk}-page.json{SEALED_SUFFIX}"
    if content is not None:
        seal_bytes(target, content)
    return str(target)


def drop_archive(path: Path) -> Path:
    """Seal an imported extract into its drop folder's imported/ and remove the dropped file."""
    target = private_dir(path.parent / IMPORTED) / f"{path.name}{SEALED_SUFFIX}"
    seal_file(path, target)
    path.unlink()
    return target


def run_file_open(
    *, run: ImportRun, which: Literal["extract", "errors"], by: User | None
) -> tuple[BinaryIO, str]:
    """Open a run's kept extract or error report decrypted, with a download name.

    The extract holds PNC IDs, so opening it is audited; the error report never names one.
    Raise FileNotFoundError if the run kept no such file or it has expired.
    """
    membership_check(by, run.source.trial, Role.DATA_MANAGER, Role.TRIAL_MANAGER)
    stored = run.file_path if which == "extract" else run.error_report
    path = Path(stored)
    if not stored or not path.is_file():
        raise FileNotFoundError(stored)
    suffix = ".json" if path.name.removesuffix(SEALED_SUFFIX).endswith(".json") else ".csv"
    name = f"import-{run.pk}-{'errors' if which == 'errors' else 'extract'}{suffix}"
    handle = open_sealed(path) if is_sealed(path) else path.open("rb")  # plain: not yet swept
    if which == "extract":
        with transaction.atomic():
            audit_record(actor=by, action="records.file_read", obj=run, status=run.status)
    return handle, name


def kept_folders() -> list[Path]:
    """Return the folders extracts are kept in: uploads, quarantine, drop folders' imported/."""
    folders = [uploads_dir(), quarantine_dir()]
    for folder in RecordSource.objects.filter(kind=SourceKind.FOLDER).values_list(
        "folder", flat=True
    ):
        if not folder_problem(folder):  # never reach outside the drop root
            imported = Path(folder) / IMPORTED
            if imported.is_dir():
                folders.append(imported)
    return folders


@dataclass
class ExpiryResult:
    removed: int = 0
    sealed: int = 0
    runs: list[int] = field(default_factory=list)


def import_files_expire(*, now: datetime | None = None, by: User | None = None) -> ExpiryResult:
    """Remove kept extract files older than IMPORT_FILE_RETENTION_DAYS and seal any left plain."""
    days = int(settings.IMPORT_FILE_RETENTION_DAYS)
    cutoff = ((now or timezone.now()) - timedelta(days=days)).timestamp()
    running = ImportRun.objects.filter(status=RunStatus.RUNNING)
    busy = {p for pair in running.values_list("file_path", "error_report") for p in pair if p}
    old: list[Path] = []
    plain: list[Path] = []
    for folder in kept_folders():
        for path in sorted(p for p in folder.iterdir() if p.is_file() and str(p) not in busy):
            if path.stat().st_mtime < cutoff:
                old.append(path)
            elif not path.name.startswith(".") and not is_sealed(path):
                plain.append(path)  # kept before files were sealed
    result = ExpiryResult(sealed=len(plain))
    for path in plain:
        _seal_in_place(path)
    if not old:
        if plain:
            with transaction.atomic():
                audit_record(actor=by, action="records.files_seal", files=len(plain))
        return result
    names = [str(p) for p in old]
    with transaction.atomic():
        touched = ImportRun.objects.filter(Q(file_path__in=names) | Q(error_report__in=names))
        result.runs = sorted(touched.values_list("pk", flat=True))
        ImportRun.objects.filter(file_path__in=names).update(file_path="")
        ImportRun.objects.filter(error_report__in=names).update(error_report="")
        for path in old:  # inside the transaction: a failed removal keeps the runs' links
            path.unlink(missing_ok=True)
        result.removed = len(old)
        audit_record(
            actor=by,
            action="records.files_expire",
            files=result.removed,
            runs=result.runs,
            days=days,
            sealed=result.sealed,
        )
    return result


def _seal_in_place(path: Path) -> None:
    """Seal a plain kept file beside itself, keeping its age, and point its run at the copy."""
    stat = path.stat()
    target = path.with_name(f"{path.name}{SEALED_SUFFIX}")
    seal_file(path, target)
    os.utime(target, (stat.st_atime, stat.st_mtime))  # retention still counts from the first day
    with transaction.atomic():
        ImportRun.objects.filter(file_path=str(path)).update(file_path=str(target))
        ImportRun.objects.filter(error_report=str(path)).update(error_report=str(target))
    path.unlink()
