"""Reading re-offence extracts: CSV files row by row, and the error that refuses a whole file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from common.crypto import open_text
from outcomes.rows import COLUMNS

Rows = Iterable[tuple[int, Mapping[str, object]]]


class FileRejectedError(Exception):
    """The file or page as a whole cannot be read (encoding, columns, JSON)."""


def csv_rows(path: Path, columns: Sequence[str] = COLUMNS) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a UTF-8 CSV, with or without BOM, comma or semicolon."""
    try:
        with open_text(path, encoding="utf-8-sig") as handle:  # sealed or as dropped
            first = handle.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter), [])]
            missing = [c for c in columns if c not in header]
            if missing:
                raise FileRejectedError(
                    f"The header lacks the column(s) {', '.join(missing)}. "
                    f"The first line must name: {','.join(columns)}."
                )
            reader = csv.reader(handle, delimiter=delimiter)
            for values in reader:
                line = reader.line_num + 1
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    yield (
                        line,
                        {
                            "__width__": f"{len(values)} fields where the header has "
                            f"{len(header)} (check the delimiter and quotes)."
                        },
                    )
                    continue
                yield line, dict(zip(header, values, strict=True))
    except UnicodeDecodeError as exc:
        raise FileRejectedError(
            f"The file is not UTF-8 text (byte {exc.object[exc.start : exc.start + 1]!r} at "
            f"offset {exc.start} of a block): save it as 'CSV UTF-8' and send it again."
        ) from exc
    except csv.Error as exc:
        raise FileRejectedError(f"The file is not a readable CSV: {exc}.") from exc
