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

import shutil
import uuid
from pathlib import Path
from typing import BinaryIO, Literal

from django.conf import settings
from django.core.files import File
from django.db import transaction

from common.crypto import (
    SEALED_SUFFIX,
    SealedWriter,
    is_sealed,
    open_sealed,
    private_dir,
    seal_bytes,
    seal_file,
)
from common.models import User
from common.services import audit_record
from outcomes.models import ImportRun

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
