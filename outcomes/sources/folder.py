"""A folder where the records system drops CSV extracts (see docs/follow-up.md).

Only names ending .csv are read, oldest name first, so a file still being written as .csv.part
is left alone. An imported file moves to imported/ inside the folder; a refused one to quarantine.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from outcomes.cells import shown
from outcomes.extracts import csv_rows
from outcomes.models import RecordSource, RunStatus
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


def _archive(path: Path, status: str) -> None:
    if status == RunStatus.SUCCEEDED and path.exists():
        done = path.parent / "imported"
        done.mkdir(exist_ok=True)
        shutil.move(str(path), done / path.name)
