"""Reading re-offence extracts: CSV files row by row, and the error that refuses a whole file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from common.crypto import open_text
from outcomes.cells import file_size_problem
from outcomes.rows import COLUMNS

Rows = Iterable[tuple[int, Mapping[str, object]]]


class FileRejectedError(Exception):
    """The file or page as a whole cannot be read (size, encoding, columns, JSON)."""


def csv_rows(path: Path, columns: Sequence[str] = COLUMNS) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a UTF-8 CSV, with or without BOM, comma or semicolon."""
    too_large = file_size_problem(path)  # before a byte is read
    if too_large:
        raise FileRejectedError(too_large)
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
            last = 0  # lines read by the reader so far (the header line was read before it)
            for values in reader:
                # The line the row starts on: a quoted cell holding a line break spans lines.
                line, last = last + 2, reader.line_num
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
