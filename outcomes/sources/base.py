"""The interface every pullable source implements, and the registry of kinds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from outcomes.extracts import Rows
from outcomes.models import RecordSource


@dataclass
class Unit:
    """One file or page: imported in one transaction, accepted or refused as a whole."""

    label: str
    rows: Rows
    keep: Path | None = None  # the file to quarantine if refused
    page: bytes | None = None  # or the page body
    attempts: int = 1
    # Called with the run's status once the unit is imported: moves the file away and returns
    # where it is kept now, if anywhere.
    done: Callable[[str], Path | None] = field(default=lambda status: None)


class SourceUnavailableError(Exception):
    """The source could not be read; nothing of the failed unit was stored."""

    def __init__(self, label: str, message: str, *, attempts: int, transient: bool) -> None:
        super().__init__(message)
        self.label, self.message = label, message
        self.attempts, self.transient = attempts, transient


class Reader(Protocol):
    def units(self, source: RecordSource) -> Iterator[Unit]:
        """Yield the source's new units in order; raise SourceUnavailableError if it cannot."""
        ...


def reader_for(kind: str) -> Reader | None:
    """Return the reader of a pullable kind (uploads and manual entry are pushed, not pulled)."""
    from outcomes.sources.folder import FolderReader
    from outcomes.sources.http import HttpReader

    readers: dict[str, Reader] = {"folder": FolderReader(), "http": HttpReader()}
    return readers.get(kind)
