"""The rules every imported file and cell obeys, on every path, written once.

Paths: the data manager's upload, drop folders and HTTP pages (outcomes/rows.py),
`load_harm_index` (services/catalogue.py) and `import_trial_history` (history_rows.py). Each
path names the row and column of a refusal in its own report; the rule and its words are here.

- Size: a file or page larger than IMPORT_MAX_BYTES is refused before it is read, and an .xlsx
  whose zip would inflate too far (in total, or by ratio) is refused before openpyxl opens it.
- Cells: a NUL byte is refused anywhere (PostgreSQL cannot store it and a report could not show
  it); so is a value longer than its database column.
- Formula-like cells: a cell starting with = + - @, a tab or a carriage return is refused, not
  escaped. Such values are never real data here (codes, record ids, trial IDs, dates, numbers);
  they reach the researcher's dataset and the admin's CSV exports, where a spreadsheet would run
  them as formulas (=HYPERLINK(...) sends data away). Escaping (a leading ') would store a value
  the records system never sent and break matching with it; refusing asks the sender to fix the
  extract, and the file is kept in quarantine with its report (docs/imports.md).
- Dates of offences and randomisations lie from 1990-01-01 to today; harm days from 0 to
  100,000 (finite); whole numbers are ASCII digits within their range.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models

FIRST_DAY = datetime.date(1990, 1, 1)  # before any police trial of this kind; catches 1900
MAX_HARM_DAYS = Decimal(100_000)  # the CCHI's largest weight (murder) is 5,475 days
FORMULA_STARTS = frozenset("=+-@\t\r")
XLSX_MAX_RATIO = 100  # deflated sheet XML is about 5-20 times smaller; a bomb, thousands
XLSX_INFLATE_FACTOR = 5  # the unpacked workbook may be 5 times the largest file read
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
HARM_NUMBER = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?")
MB = 1024 * 1024


def max_bytes() -> int:
    """Return the largest file or page an import reads (the IMPORT_MAX_BYTES setting)."""
    return int(settings.IMPORT_MAX_BYTES)


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{size // 1024} KB"


def size_problem(size: int, what: str = "file") -> str:
    """Return why a file or page of this many bytes is refused, or ""."""
    if size <= max_bytes():
        return ""
    return (
        f"The {what} is {_mb(size)}: imports refuse anything over {_mb(max_bytes())} "
        "(IMPORT_MAX_BYTES). Split it into smaller files and send each."
    )


def file_size_problem(path: Path) -> str:
    """Return why the file at path is too large to read, or "" (from its size on disk)."""
    return size_problem(path.stat().st_size)


def xlsx_problem(path: Path) -> str:
    """Return why an .xlsx would inflate too far to open, or "" (from the zip's directory).

    The sizes come from the zip's central directory; Python's zipfile (which openpyxl uses)
    never inflates a member past the size declared there, so a lying directory cannot help.
    A file that is not a zip at all is left for openpyxl to refuse in its own words.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return ""
    inflated = sum(m.file_size for m in members)
    limit = XLSX_INFLATE_FACTOR * max_bytes()
    if inflated > limit:
        return (
            f"The workbook inflates to {_mb(inflated)} when unpacked (at most {_mb(limit)}): "
            "it is refused unread. Save the sheet as CSV UTF-8 and load that."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MB and ratio > XLSX_MAX_RATIO:
            return (
                f"The workbook inflates too far: {member.filename} unpacks {ratio:.0f} times "
                f"its packed size (at most {XLSX_MAX_RATIO}), as a zip bomb does. It is "
                "refused unread; save the sheet as CSV UTF-8 and load that."
            )
    return ""


def shown(value: object, longest: int = 30) -> str:
    """Return a cell as quoted in a message: cut short, control characters made visible."""
    text = str(value)[:longest]
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def text_problem(column: str, text: str, longest: int = 0, *, quote: bool = True) -> str:
    """Return why a cell (as read, before stripping) is refused, or "" (quote=False: a PNC ID)."""
    if "\x00" in text:
        return f"{column} holds a NUL byte (\\x00): the file is damaged or not text."
    start = text.lstrip(" ")[:1]
    if start in FORMULA_STARTS:
        value = f" '{shown(text.lstrip(' '), 20)}'" if quote else ""
        return (
            f"{column}{value} starts with {shown(start)}, which a spreadsheet runs as a "
            "formula: cells starting with =, +, -, @, a tab or a carriage return are refused."
        )
    if longest and len(text.strip()) > longest:
        return f"{column} is longer than {longest} characters."
    return ""


def width(model: type[models.Model], name: str) -> int:
    """Return the length of a model's text column, so limits follow the database."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    assert isinstance(length, int), f"{model.__name__}.{name} has no max_length"
    return length


def date_problem(day: datetime.date, today: datetime.date) -> str:
    """Return why an offence or randomisation date is refused, or ""."""
    if day > today:
        return f"{day.isoformat()} is in the future."
    if day < FIRST_DAY:
        return f"{day.isoformat()} is before {FIRST_DAY.isoformat()}: check the year."
    return ""


def whole_number(text: str, low: int, high: int) -> tuple[int | None, str]:
    """Read a whole number from low to high (ASCII digits only); return it or why not."""
    if not WHOLE_NUMBER.fullmatch(text) or not low <= int(text) <= high:
        return None, f"'{shown(text, 10)}' is not a whole number from {low} to {high}."
    return int(text), ""


def harm_days(value: object) -> tuple[Decimal | None, str]:
    """Read a harm weight in days: a finite number from 0 to 100,000; return it or why not."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))  # a spreadsheet's number: inf and nan are not finite
    else:
        text = str(value if value is not None else "").strip()
        if not HARM_NUMBER.fullmatch(text):
            return None, f"harm '{shown(text, 20)}' is not a number of days (e.g. 10 or 547.5)."
        number = Decimal(text)
    if not number.is_finite() or not 0 <= number <= MAX_HARM_DAYS:
        return None, f"harm must be from 0 to {MAX_HARM_DAYS:,} days, not {shown(value, 20)}."
    return number, ""
