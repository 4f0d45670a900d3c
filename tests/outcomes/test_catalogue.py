"""The Crime Harm Index catalogue: the shipped default, CSV and published .xlsx loading."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from openpyxl import Workbook

from outcomes.models import HarmIndexEntry, HarmIndexVersion
from outcomes.selectors import harm_index_for
from outcomes.services import harm_index_pin
from tests.outcomes.support import make_trial

SHARED = Path(__file__).resolve().parents[2] / "outcomes" / "data" / "harm-index-da.csv"


def harm(version: str, code: str) -> Decimal:
    return HarmIndexEntry.objects.get(version__name=version, code=code).harm_days


@pytest.mark.django_db
def test_the_shipped_cchi_2020_rows_are_the_current_catalogue_with_provenance() -> None:
    current = HarmIndexVersion.objects.get(is_current=True)
    assert current.name == "CCHI-2020-DA"
    assert current.entries.count() == len(SHARED.read_text().splitlines()) - 1
    assert harm("CCHI-2020-DA", "001/01") == 5475  # murder: 15 years x 365
    assert harm("CCHI-2020-DA", "105/01") == 1  # common assault
    assert harm("CCHI-2020-DA", "008/01-serious") == Decimal("547.5")
    assert "SUPERSEDED" in current.entries.get(code="028/03").source
    assert "2020" in current.source_note


@pytest.mark.django_db
def test_a_csv_version_loads_becomes_current_and_a_trial_can_stay_pinned(tmp_path: Path) -> None:
    trial = make_trial()
    harm_index_pin(
        trial=trial,
        version=HarmIndexVersion.objects.get(name="CCHI-2020-DA"),
        reason="The trial protocol names the 2020 edition",
        by=None,
    )
    path = tmp_path / "cchi.csv"
    path.write_text(
        "\ufeffcode,title,harm_days,source\n105/01,Common assault,2,test\n008/77,Strangulation,"
        "365.5,test\n",
        encoding="utf-8",
    )
    call_command("load_harm_index", str(path), "--version", "CCHI-2023-TEST")
    assert HarmIndexVersion.objects.get(is_current=True).name == "CCHI-2023-TEST"
    assert harm("CCHI-2023-TEST", "008/77") == Decimal("365.5")
    assert harm_index_for(trial).name == "CCHI-2020-DA"  # pinned trials keep their version
    assert harm_index_for(make_trial("OTHER")).name == "CCHI-2023-TEST"


@pytest.mark.django_db
def test_bad_rows_refuse_the_whole_file_and_name_each_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,title,harm_days,source\n105/01,Assault,1,x\n008/06,ABH,-3,x\n"
        "008/30,Fear,ten,x\n105/01,Again,1,x\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("load_harm_index", str(path), "--version", "BAD")
    message = str(refused.value)
    assert "3 row(s) refused; nothing was loaded" in message
    assert "Row 3 harm_days: harm_days '-3' starts with -" in message
    assert "Row 4 harm_days: harm 'ten' is not a number" in message
    assert "Row 5 code: code 105/01 appears twice" in message
    assert not HarmIndexVersion.objects.filter(name="BAD").exists()
    assert HarmIndexVersion.objects.get(is_current=True).name == "CCHI-2020-DA"

    missing = tmp_path / "missing.csv"
    missing.write_text("code,title\n105/01,Assault\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("load_harm_index", str(missing), "--version", "BAD")
    with pytest.raises(CommandError, match="exists already"):
        call_command("load_harm_index", str(SHARED), "--version", "CCHI-2020-DA")


@pytest.mark.django_db
def test_the_database_refuses_a_negative_harm() -> None:
    version = HarmIndexVersion.objects.get(name="CCHI-2020-DA")
    with pytest.raises(IntegrityError), transaction.atomic():
        HarmIndexEntry.objects.create(version=version, code="X", title="x", harm_days=-1)


def published_workbook(path: Path, *, bad: bool = False) -> Path:
    """A small workbook laid out like the published CCHI sheet: a title block, extra columns."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover["A1"] = "Cambridge Crime Harm Index"
    sheet = book.create_sheet("CCHI values sheet")
    sheet.append(["CCHI 2020 update"])
    sheet.append([])
    sheet.append(
        ["ATHENA URN", "HOME_OFFICE_CLASSIFICATION", "FULL_OFFENCE_TITLE", "Notes", "CCHI Score"]
    )
    sheet.append(["1.1.1.1", "001/01", "Murder", "", 5475])
    sheet.append(["105A.105.1.0", "105/01", "Common assault and battery", "x", 1])
    sheet.append(["8N.8.1.1", "008/01", "Malicious wounding (serious)", "", 547.5])
    sheet.append(["8N.8.1.2", "008/01", "Malicious wounding (minor)", "", 19])
    sheet.append(["8N.8.1.3", "008/06", "ABH", "", 10])
    sheet.append(["8N.8.1.4", "008/06", "Attempted ABH", "", 10])
    sheet.append([])
    if bad:
        sheet.append(["9.9", "125/12", "S5 POA", "", "n/a"])
    book.save(path)
    return path


@pytest.mark.django_db
def test_the_published_xlsx_loads_by_column_names(tmp_path: Path) -> None:
    path = published_workbook(tmp_path / "cchi.xlsx")
    call_command("load_harm_index", str(path), "--version", "CCHI-XLSX")
    version = HarmIndexVersion.objects.get(name="CCHI-XLSX")
    assert version.is_current
    codes = dict(version.entries.values_list("code", "harm_days"))
    assert codes["001/01"] == 5475
    assert codes["008/06"] == 10  # an attempt with the same score is kept once
    # Two different scores under one code: neither is used for the bare code.
    assert "008/01" not in codes
    assert codes["008/01-row6"] == Decimal("547.5")
    assert codes["008/01-row7"] == 19
    assert "URN 1.1.1.1" in version.entries.get(code="001/01").source


@pytest.mark.django_db
def test_a_bad_xlsx_row_refuses_the_workbook(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="row 11 harm_days: harm 'n/a' is not a number"):
        call_command(
            "load_harm_index",
            str(published_workbook(tmp_path / "bad.xlsx", bad=True)),
            "--version",
            "BAD",
        )
    assert not HarmIndexVersion.objects.filter(name="BAD").exists()
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=r"cannot be read as an \.xlsx"):
        call_command("load_harm_index", str(tmp_path / "junk.xlsx"), "--version", "BAD")
