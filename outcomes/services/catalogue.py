"""The Crime Harm Index catalogue: read a CSV or the published .xlsx, load it as a version."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError
from common.memberships import membership_check
from common.models import User
from common.roles import Role
from common.services import audit_record
from outcomes.cells import file_size_problem, harm_days, text_problem, width, xlsx_problem
from outcomes.models import HarmIndexEntry, HarmIndexVersion, OffenceCodeMapping, TrialHarmIndex

if TYPE_CHECKING:
    from trial.models import Trial

CSV_COLUMNS = ("code", "title", "harm_days", "source")
HEADER_SCAN_ROWS = 30  # the published sheet may have a title block above the header
WIDTHS = {"code": width(HarmIndexEntry, "code"), "title": width(HarmIndexEntry, "title")}


@dataclass(frozen=True)
class EntryRow:
    code: str
    title: str
    harm_days: Decimal
    source: str


class CatalogueError(DomainError):
    """The file cannot be loaded; `errors` lists every problem found, by row."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message, field="file")
        self.errors = errors or []


def _text(cell: object, column: str, where: str, errors: list[str], longest: int = 0) -> str | None:
    """Return a text cell stripped, or None with the reason recorded (numbers pass as text)."""
    text = "" if cell is None else str(cell)
    longest = longest or WIDTHS.get(column, 0)
    problem = text_problem(column, text, longest) if isinstance(cell, str) else ""
    if not problem and longest and len(text.strip()) > longest:  # a number cell that long
        problem = f"{column} is longer than {longest} characters."
    if problem:
        errors.append(f"{where} {column}: {problem}")
        return None
    return text.strip()


def _harm(cell: object, where: str, errors: list[str]) -> Decimal | None:
    problem = text_problem("harm_days", cell) if isinstance(cell, str) else ""
    harm, problem = (None, problem) if problem else harm_days(cell)
    if problem:
        errors.append(f"{where} harm_days: {problem}")
    return harm


def _entry(
    cells: dict[str, object], where: str, seen: set[str] | None, errors: list[str]
) -> EntryRow | None:
    """Check one catalogue row; seen: codes so far (None: repeats allowed, the .xlsx)."""
    # The published sheet's repeated codes may become CODE-rowN, which must fit the column too.
    longest = WIDTHS["code"] - (len("-row99999") if seen is None else 0)
    code = _text(cells.get("code"), "code", where, errors, longest)
    title = _text(cells.get("title"), "title", where, errors)
    source = _text(cells.get("source"), "source", where, errors)
    if code == "":
        errors.append(f"{where} code: the code is empty.")
    elif code is not None and seen is not None:
        if code in seen:
            errors.append(f"{where} code: code {code} appears twice.")
        seen.add(code)
    harm = _harm(cells.get("harm_days"), where, errors)
    if not code or title is None or source is None or harm is None:
        return None
    return EntryRow(code, title, harm, source)


def read_csv(path: Path) -> list[EntryRow]:
    """Read code,title,harm_days,source rows; every row is checked before any is returned."""
    errors: list[str] = []
    rows: list[EntryRow] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in CSV_COLUMNS[:3] if c not in header]
            if missing:
                raise CatalogueError(
                    f"The file lacks the column(s) {', '.join(missing)}; "
                    f"expected {','.join(CSV_COLUMNS)}."
                )
            reader.fieldnames = header
            seen: set[str] = set()
            for number, raw in enumerate(reader, start=2):
                cells: dict[str, object] = {c: raw.get(c) or "" for c in CSV_COLUMNS}
                entry = _entry(cells, f"Row {number}", seen, errors)
                if entry is not None:
                    rows.append(entry)
    except UnicodeDecodeError as exc:
        raise CatalogueError("The file is not UTF-8 text: save it as CSV UTF-8.") from exc
    except csv.Error as exc:
        raise CatalogueError(f"The file is not a readable CSV: {exc}.") from exc
    if errors:
        raise CatalogueError(f"{len(errors)} row(s) refused; nothing was loaded.", errors)
    return rows


def _norm(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def _columns(cells: tuple[object, ...]) -> dict[str, int] | None:
    """Find the code, title, score (and URN) columns of a header row by their names."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _norm(cell)
        if "home office" in name and "code" not in found:
            found["code"] = index
        elif "title" in name and "title" not in found:
            found["title"] = index
        elif ("cchi" in name and "score" in name) or name in ("harm days", "cchi"):
            found.setdefault("score", index)
        elif name in ("urn", "athena urn"):
            found.setdefault("urn", index)
    return found if {"code", "title", "score"} <= found.keys() else None


def _xlsx_rows(path: Path) -> Iterator[tuple[str, int, tuple[object, ...]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise CatalogueError(f"The file cannot be read as an .xlsx workbook ({exc}).") from exc
    try:
        for sheet in book.worksheets:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield sheet.title, number, cells
    finally:
        book.close()


def read_xlsx(path: Path) -> tuple[list[EntryRow], list[str]]:
    """Read the published CCHI sheet; return the rows and notes on codes that were split.

    The published sheet repeats some Home Office codes (008/01 has a serious and a minor row).
    Repeats with the same score are kept once; repeats with different scores are kept as
    CODE-rowN so that a record carrying the bare code is flagged until it is mapped.
    """
    columns: dict[str, int] | None = None
    sheet_name = ""
    parsed: list[tuple[int, EntryRow]] = []
    errors: list[str] = []
    for title, number, cells in _xlsx_rows(path):
        if columns is None:
            if number <= HEADER_SCAN_ROWS:
                columns, sheet_name = _columns(cells), title
            continue
        if title != sheet_name:
            break  # values come from the first sheet with a header row
        if not any(c not in (None, "") for c in cells):
            continue  # blank line
        where = f"Sheet '{title}' row {number}"
        urn = _text(cells[columns["urn"]], "urn", where, errors) if "urn" in columns else ""
        found = {name: cells[columns[name]] for name in ("code", "title")}
        found["harm_days"] = cells[columns["score"]]
        found["source"] = f"sheet '{title}' row {number}" + (f" URN {urn}" if urn else "")
        entry = _entry(found, where, None, errors)
        if entry is not None and urn is not None:
            parsed.append((number, entry))
    if columns is None:
        raise CatalogueError(
            "No header row with a Home Office code, an offence title and a CCHI score column "
            f"was found in the first {HEADER_SCAN_ROWS} rows of any sheet."
        )
    if errors:
        raise CatalogueError(f"{len(errors)} row(s) refused; nothing was loaded.", errors)
    return _split_repeats(parsed)


def _split_repeats(parsed: list[tuple[int, EntryRow]]) -> tuple[list[EntryRow], list[str]]:
    """Keep a code repeated with one score once; split one with several scores as CODE-rowN."""
    by_code: dict[str, list[tuple[int, EntryRow]]] = {}
    for number, entry in parsed:
        by_code.setdefault(entry.code, []).append((number, entry))
    rows: list[EntryRow] = []
    notes: list[str] = []
    for code, items in by_code.items():
        if len({entry.harm_days for _, entry in items}) == 1:
            rows.append(items[0][1])
            continue
        split = [f"{code}-row{number}" for number, _ in items]
        notes.append(f"{code} has {len(items)} different scores: loaded as {', '.join(split)}.")
        rows.extend(
            EntryRow(name, e.title, e.harm_days, e.source)
            for name, (_, e) in zip(split, items, strict=True)
        )
    return rows, notes


def harm_index_load(
    *, path: Path, version: str, source_note: str = "", by: User | None, make_current: bool = True
) -> tuple[HarmIndexVersion, list[str]]:
    """Load a catalogue file (.csv or .xlsx) as a new version, atomically; make it current."""
    version = version.strip()
    if not version:
        raise DomainError("Give the version a name, e.g. CCHI-2023.", field="version")
    longest = width(HarmIndexVersion, "name")
    if len(version) > longest or text_problem("version", version):
        raise DomainError(
            text_problem("version", version) or f"A version name is at most {longest} characters.",
            field="version",
        )
    if "\x00" in source_note:
        raise DomainError(text_problem("note", source_note), field="note")
    if not path.exists():
        raise CatalogueError(f"No file at {path}.")
    too_large = file_size_problem(path)
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    too_large = too_large or (xlsx_problem(path) if xlsx else "")
    if too_large:
        raise CatalogueError(too_large)
    if xlsx:
        rows, notes = read_xlsx(path)
    else:
        rows, notes = read_csv(path), []
    if not rows:
        raise CatalogueError("The file holds no offence rows.")
    with transaction.atomic():
        if HarmIndexVersion.objects.filter(name=version).exists():
            raise ConflictError(f"A catalogue version named {version} exists already.")
        if make_current:
            HarmIndexVersion.objects.filter(is_current=True).update(is_current=False)
        loaded = HarmIndexVersion.objects.create(
            name=version,
            source_note=source_note
            or f"Loaded from {path.name} on {timezone.localdate():%d/%m/%Y}",
            is_current=make_current,
        )
        HarmIndexEntry.objects.bulk_create(
            HarmIndexEntry(
                version=loaded, code=r.code, title=r.title, harm_days=r.harm_days, source=r.source
            )
            for r in rows
        )
        audit_record(actor=by, action="harm_index.load", obj=loaded, entries=len(rows))
    return loaded, notes


def harm_index_pin_check(*, reason: str) -> str:
    """Refuse a pin without its reason; return the reason as kept."""
    reason = reason.strip()
    if not reason:
        raise DomainError(
            "Say why the trial scores with this version (snapshots not yet frozen change).",
            field="reason",
        )
    return reason


def harm_index_pin(
    *, trial: Trial, version: HarmIndexVersion, reason: str, by: User | None
) -> TrialHarmIndex:
    """Pin the catalogue version a trial scores its snapshots with, saying why."""
    membership_check(by, trial, Role.DATA_MANAGER, Role.TRIAL_MANAGER)
    reason = harm_index_pin_check(reason=reason)
    with transaction.atomic():
        pin, _ = TrialHarmIndex.objects.update_or_create(trial=trial, defaults={"version": version})
        audit_record(
            actor=by, action="harm_index.pin", obj=trial, version=version.name, reason=reason
        )
    return pin


def offence_code_check(*, from_code: str, to_code: str, reason: str) -> tuple[str, str, str]:
    """Refuse a mapping without its reason or to a code no catalogue holds; return it cleaned."""
    from_code, to_code, reason = from_code.strip(), to_code.strip(), reason.strip()
    if not from_code:
        raise DomainError("Give the records system's code.", field="from_code")
    if not reason:
        raise DomainError("Say why the code is mapped.", field="reason")
    if not HarmIndexEntry.objects.filter(code=to_code).exists():
        raise DomainError(f"{to_code} is in no catalogue version.", field="to_code")
    return from_code, to_code, reason


def offence_code_map(
    *, from_code: str, to_code: str, reason: str, by: User | None
) -> OffenceCodeMapping:
    """Score a records-system code as a catalogue code from now on (frozen snapshots stay)."""
    from_code, to_code, reason = offence_code_check(
        from_code=from_code, to_code=to_code, reason=reason
    )
    with transaction.atomic():
        mapping, _ = OffenceCodeMapping.objects.update_or_create(
            from_code=from_code, defaults={"to_code": to_code, "reason": reason, "created_by": by}
        )
        audit_record(
            actor=by, action="offence_code.map", obj=mapping, from_code=from_code, to_code=to_code
        )
    return mapping
