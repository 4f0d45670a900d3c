"""Browser uploads: the file is saved under MEDIA_ROOT, then imported by a Celery task."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


def save_upload(upload: UploadedFile) -> Path:
    """Write an uploaded extract to disk in chunks and return its path."""
    folder = Path(settings.MEDIA_ROOT) / "outcomes" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(upload.name or "").name)
    path = folder / f"{uuid.uuid4().hex[:12]}-{safe or 'extract.csv'}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path
