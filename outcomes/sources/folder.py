"""A folder where the records system drops CSV extracts (see docs/follow-up.md).

Only names ending .csv are read, oldest name first, so a file still being written as .csv.part
is left alone. An imported file is sealed into imported/ inside the folder and a refused one into
quarantine; either way the file as dropped, in clear, is removed (outcomes/services/files.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from outcomes.cells import shown
from outcomes.extracts import csv_rows
from outcomes.models import RecordSource, RunStatus
from outcomes.services.files import drop_archive
from outcomes.sources.address import folder_problem
from outcomes.sources.base import SourceUnavailableError, Unit


class FolderReader:
    def units(self, source: RecordSource) -> Iterator[Unit]:
        folder = Path(source.folder)
        problem = folder_problem(source.folder)
        if problem:  # the root or the row changed since the source was saved
            raise SourceUnavailableError(str(folder), problem, attempts=1, transient=False)
        if not folder.is_dir():
            raise SourceUnavailableError(
                str(folder),
                f"The drop folder {folder} does not exist or cannot be read.",
                attempts=1,
                transient=True,
            )
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv"):
            yield Unit(
                label=shown(path.name, 300),  # a name that is not UTF-8 stays storable
                rows=csv_rows(path),
                keep=path,
                done=partial(_archive, path),
            )


def _archive(path: Path, status: str) -> Path | None:
    """Seal an imported file into imported/; a refused one was sealed into quarantine already."""
    if status == RunStatus.SUCCEEDED and path.exists():
        return drop_archive(path)
    return None
