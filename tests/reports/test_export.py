"""The researchers' CSV: formula cells neutralised, every column explained, hash on the cover."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io

import pytest

from reports.analysis.dataset import (
    COLUMNS,
    AnalysisDataset,
    ArmFlow,
    Screening,
    dataset_sha256,
)
from reports.analysis.export import data_dictionary_csv, dataset_csv, flow_csv, neutralise_cell
from tests.reports.builders import meta, person


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("common assault", "common assault"),
        ("12.5", "12.5"),
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell: str, expected: str) -> None:
    assert neutralise_cell(cell) == expected


def test_dataset_csv_has_one_row_per_participant_and_no_runnable_formula() -> None:
    rows = (
        person(2, "control", offence_type="=cmd|' /C calc'!A0"),
        person(1, "cara", offences=2, harm=0.1 + 0.2, days_to_first=45, stratum="@area"),
    )
    data = dataset_csv(dataset=AnalysisDataset(meta=meta(), rows=rows))

    table = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert tuple(table[0]) == COLUMNS
    assert [r["trial_id"] for r in table] == ["CARA-0001", "CARA-0002"]  # sorted by trial ID
    assert table[0]["stratum"] == "'@area"
    assert table[1]["offence_type"].startswith("'=")
    assert table[0]["harm"] == "0.3"  # canonical: float noise rounded away
    assert table[0]["reoffended"] == "true"
    assert table[1]["days_to_first"] == ""
    assert table[1]["workshops_attended"] == ""


def test_the_cover_hash_is_the_sha256_of_the_downloadable_csvs_and_ignores_row_order() -> None:
    rows = tuple(person(i, "cara" if i % 2 else "control") for i in range(6))
    dataset = AnalysisDataset(meta=meta(), rows=rows)
    reversed_rows = AnalysisDataset(meta=meta(), rows=rows[::-1])
    # cat dataset.csv flow.csv | sha256sum
    downloaded = dataset_csv(dataset=dataset) + flow_csv(dataset=dataset)
    assert dataset_sha256(dataset=dataset) == hashlib.sha256(downloaded).hexdigest()
    assert dataset_sha256(dataset=reversed_rows) == dataset_sha256(dataset=dataset)
    changed = AnalysisDataset(
        meta=meta(),
        rows=(dataclasses.replace(rows[0], harm=0.5, offences=1, days_to_first=3), *rows[1:]),
    )
    assert dataset_sha256(dataset=changed) != dataset_sha256(dataset=dataset)


def test_the_hash_covers_the_flow_counts_the_rows_cannot_show() -> None:
    rows = tuple(person(i, "cara" if i % 2 else "control") for i in range(6))
    flow = (
        ArmFlow(
            arm="cara",
            randomised=5,
            window_open=2,
            not_frozen=0,
            withdrawn=1,
            received=4,
            randomised_by_month=(("2023-03", 4), ("2023-04", 1)),
        ),
        ArmFlow(
            arm="control",
            randomised=4,
            window_open=1,
            not_frozen=0,
            withdrawn=0,
            randomised_by_month=(("2023-03", 3), ("2023-04", 1)),
        ),
    )
    screened = Screening(assessed=12, excluded_by_reason={"Victim declined consent": 3})
    base = AnalysisDataset(meta=meta(screening=screened, flow=flow), rows=rows)
    digest = dataset_sha256(dataset=base)
    # A withdrawal recorded later, one more man randomised, one more declined: same rows,
    # different counts on the diagram, so a different dataset.
    later = (dataclasses.replace(flow[0], withdrawn=2), flow[1])
    more = (dataclasses.replace(flow[0], randomised=6, window_open=3), flow[1])
    # The same totals recruited in other months: a different recruitment chart, so a new hash.
    moved = (dataclasses.replace(flow[0], randomised_by_month=(("2023-03", 5),)), flow[1])
    declined = Screening(assessed=13, excluded_by_reason={"Victim declined consent": 4})
    for changed in (
        meta(screening=screened, flow=later),
        meta(screening=screened, flow=more),
        meta(screening=declined, flow=flow),
        meta(screening=screened, flow=moved),
    ):
        assert dataset_sha256(dataset=AnalysisDataset(meta=changed, rows=rows)) != digest
    table = list(csv.DictReader(io.StringIO(flow_csv(dataset=base).decode())))
    assert {"count": "window_open", "arm": "cara", "n": "2"} in table
    assert {"count": "received", "arm": "control", "n": ""} in table  # not recorded: empty
    assert table[1] == {"count": "excluded:Victim declined consent", "arm": "", "n": "3"}
    assert {"count": "randomised:2023-04", "arm": "cara", "n": "1"} in table
    assert {"count": "randomised:2023-03", "arm": "control", "n": "3"} in table


def test_the_data_dictionary_explains_every_column_in_order() -> None:
    entries = list(csv.DictReader(io.StringIO(data_dictionary_csv().decode("utf-8"))))
    assert tuple(e["column"] for e in entries)[: len(COLUMNS)] == COLUMNS
    assert any(e["column"] == "flow: window_open" for e in entries)
    assert all(e["meaning"] for e in entries)
