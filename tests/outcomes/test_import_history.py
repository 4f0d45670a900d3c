"""Importing a trial run elsewhere: the shipped example, refusals, re-runs and the CARA figures."""

from __future__ import annotations

import csv
import datetime
import shutil
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from common.crypto import open_text
from common.exceptions import DomainError, NotAllowedError
from outcomes.history_rows import PARTICIPANT_COLUMNS, REOFFENCE_COLUMNS
from outcomes.models import (
    HarmIndexEntry,
    HarmIndexVersion,
    HistoricalBaseline,
    ImportRun,
    RecordStatus,
    ReoffenceRecord,
    Snapshot,
)
from outcomes.selectors import historical_baseline, snapshots_at_cut
from outcomes.services import HistoryOptions, HistoryRejectedError, trial_history_import
from tests.outcomes.support import make_trial, randomise
from trial.models import Allocation, Trial
from trial.services import chain_verify

D = datetime.date
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TODAY = D(2025, 6, 1)


def examples(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the shipped example pair (a refused import keeps copies, never moves these)."""
    return (
        Path(shutil.copy(EXAMPLES / "history-participants.csv", tmp_path / "participants.csv")),
        Path(shutil.copy(EXAMPLES / "history-reoffences.csv", tmp_path / "reoffences.csv")),
    )


def write(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def append(path: Path, *rows: Sequence[object]) -> Path:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def command(*args: str) -> str:
    out = StringIO()
    call_command("import_trial_history", *args, stdout=out)
    return out.getvalue()


def arm_totals(trial: Trial, months: int, cut: datetime.date) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in snapshots_at_cut(trial=trial, window_months=months, data_cut=cut):
        totals[row.arm] += row.harm_days
    return dict(totals)


def nothing_stored() -> None:
    assert not Trial.objects.exists()
    assert not Allocation.objects.exists()
    assert not ReoffenceRecord.objects.exists()
    assert not HistoricalBaseline.objects.exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_example_files_create_a_trial_ready_for_analysis(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    out = command("--trial", "CARA", str(participants), str(reoffences))
    trial = Trial.objects.get(code="CARA")
    assert trial.status == "follow_up"
    assert trial.allocations_imported
    assert [(a.code, a.is_intervention) for a in trial.arms.all()] == [
        ("cara", True),
        ("control", False),
    ]
    assert trial.designs.get().strata_factors == {"stratum": ["portsmouth", "southampton"]}
    assert Allocation.objects.filter(trial=trial, imported=True).count() == 12
    assert chain_verify(trial=trial, by=None).ok

    baseline = historical_baseline(trial=trial)
    assert len(baseline) == 12
    first = baseline["CARA-0001"]
    assert (first.age, first.offence_type, first.dash_risk, first.workshops_attended) == (
        34,
        "common_assault",
        "standard",
        2,
    )
    assert baseline["CARA-0002"].workshops_attended is None  # control
    assert baseline["CARA-0008"].age is None  # not recorded, not zero
    assert baseline["CARA-0009"].workshops_attended is None  # cara, not recorded

    records = ReoffenceRecord.objects.filter(source__trial=trial)
    assert records.count() == 9
    assert not records.filter(allocation__isnull=True).exists()
    assert set(records.values_list("record_status", flat=True)) == {RecordStatus.NOT_RECORDED}
    assert "2 re-offence(s) dated on or before randomisation" in out

    today = datetime.datetime.now(tz=datetime.UTC).date()
    # Every window of 2022 randomisations has closed: 12 snapshots for each of 12 and 24 months.
    assert Snapshot.objects.filter(allocation__trial=trial).count() == 24
    assert arm_totals(trial, 12, today) == {"cara": Decimal(10), "control": Decimal(19)}
    assert arm_totals(trial, 24, today) == {"cara": Decimal(10), "control": Decimal(21)}
    rows = {
        r.participant_key: r
        for r in snapshots_at_cut(trial=trial, window_months=12, data_cut=today)
    }
    assert rows["CARA-0001"].offences == 0  # its record predates randomisation
    assert rows["CARA-0011"].offences == 0  # on the randomisation day: not after it
    assert (rows["CARA-0006"].offences, rows["CARA-0006"].days_to_first) == (1, 364)


@pytest.mark.django_db
def test_running_the_same_import_again_adds_nothing(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    args = ("--trial", "CARA", "--windows", "12,24", str(participants), str(reoffences))
    command(*args)
    counts = (Allocation.objects.count(), ReoffenceRecord.objects.count(), Snapshot.objects.count())
    runs = ImportRun.objects.count()
    again = command(*args)
    assert "nothing new in these files (already imported)" in again
    assert "Participants: 0 added, 12 already imported" in again
    assert counts == (
        Allocation.objects.count(),
        ReoffenceRecord.objects.count(),
        Snapshot.objects.count(),
    )
    assert ImportRun.objects.count() == runs
    assert chain_verify(trial=Trial.objects.get(code="CARA"), by=None).ok


@pytest.mark.django_db
def test_a_later_file_adds_only_its_new_rows_and_corrects_frozen_windows(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    trial_history_import(
        code="CARA", participants=participants, reoffences=reoffences, by=None, today=TODAY
    )
    append(participants, ["CARA-0013", "portsmouth", "2025-01-06", "cara", "1", "39", "", ""])
    # CARA-0003's 12-month window was frozen: a record found later needs a corrected version.
    append(reoffences, ["CARA-0003", "2022-12-01", "008/06", "same_partner", "H-2001"])
    result = trial_history_import(
        code="CARA", participants=participants, reoffences=reoffences, by=None, today=TODAY
    )
    assert (result.participants_added, result.participants_known) == (1, 12)
    assert (result.records_added, result.records_known) == (1, 9)
    assert result.corrected == 2  # its 12- and 24-month windows
    trial = result.trial
    assert chain_verify(trial=trial, by=None).ok
    assert Allocation.objects.get(participant_key="CARA-0013").seq == 13
    snap = Snapshot.objects.get(
        allocation__participant_key="CARA-0003", window_months=12, version=2
    )
    assert snap.harm_days == Decimal(13)
    assert snap.reason.startswith("Re-offences added by history import run")
    assert arm_totals(trial, 12, TODAY)["control"] == Decimal(29)
    assert "CARA-0013" not in {  # its window is still open
        r.participant_key for r in snapshots_at_cut(trial=trial, window_months=12, data_cut=TODAY)
    }


@pytest.mark.django_db
def test_bad_participant_rows_refuse_both_files_with_a_report(tmp_path: Path, media: Path) -> None:
    participants, reoffences = examples(tmp_path)
    append(
        participants,
        ["CARA-0001", "portsmouth", "2022-06-01", "cara", "2", "30", "", ""],  # repeated
        ["CARA-0020", "portsmouth", "2099-01-01", "cara", "3", "200", "", "extreme"],
        ["CARA-0021", "Ports mouth!", "31/02/2022", "", "", "", "", ""],
    )
    with pytest.raises(CommandError) as refused:
        command("--trial", "CARA", str(participants), str(reoffences))
    message = str(refused.value)
    assert "nothing was stored" in message
    assert "participants.csv row 14 trial_id: CARA-0001 is repeated (first on row 2)." in message
    assert "participants.csv row 15 randomised_on: 2099-01-01 is in the future." in message
    assert "participants.csv row 15 workshops_attended: '3' is not a whole number" in message
    assert "participants.csv row 15 age:" in message
    assert "participants.csv row 15 dash_risk: 'extreme' is not one of" in message
    assert "participants.csv row 16 randomised_on: '31/02/2022' is not a date" in message
    assert "participants.csv row 16 arm: arm is empty." in message
    nothing_stored()
    quarantine = media / "outcomes" / "quarantine"
    (report,) = quarantine.glob("history-CARA-*-errors.csv.enc")
    with open_text(report) as handle:  # sealed: PNC IDs are personal data
        lines = list(csv.DictReader(handle))
    assert {line["file"] for line in lines} == {"participants.csv"}
    assert ("15", "age") in {(line["row"], line["column"]) for line in lines}
    assert len(list(quarantine.glob("history-CARA-*-participants-participants.csv.enc"))) == 1
    assert len(list(quarantine.glob("history-CARA-*-reoffences-reoffences.csv.enc"))) == 1
    assert participants.exists()  # kept as a copy: the user's file stays where it was


@pytest.mark.django_db
def test_bad_reoffence_rows_refuse_both_files(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    append(
        reoffences,
        ["CARA-0099", "2022-06-01", "105/01", "same_partner", "H-3001"],  # nobody
        ["CARA-0002", "2099-06-01", "105/01", "neighbour", "H-3002"],
        ["CARA-0002", "2022-06-01", "105/01", "same_partner", "H-1002"],  # repeated id
        ["CARA-0002", "2022-06-01"],  # short row
    )
    with pytest.raises(HistoryRejectedError) as refused:
        trial_history_import(code="CARA", participants=participants, reoffences=reoffences, by=None)
    found = {(e.file, e.row, e.column) for e in refused.value.errors}
    assert found == {
        ("reoffences.csv", 11, "trial_id"),
        ("reoffences.csv", 12, "offence_date"),
        ("reoffences.csv", 12, "victim_relationship"),
        ("reoffences.csv", 13, "record_id"),
        ("reoffences.csv", 14, "*"),
    }
    nothing_stored()


@pytest.mark.django_db
def test_a_file_without_the_columns_is_refused_whole(tmp_path: Path) -> None:
    participants, _ = examples(tmp_path)
    reoffences = write(tmp_path / "r.csv", ["trial_id", "offence_date"], [["CARA-0001", "x"]])
    with pytest.raises(HistoryRejectedError) as refused:
        trial_history_import(code="CARA", participants=participants, reoffences=reoffences, by=None)
    (error,) = refused.value.errors
    assert (error.file, error.row) == ("r.csv", 0)
    assert "lacks the column(s) offence_code" in error.message
    nothing_stored()


@pytest.mark.django_db
def test_an_existing_trial_refuses_an_arm_code_it_does_not_have(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    command("--trial", "CARA", str(participants), str(reoffences))
    append(participants, ["CARA-0013", "portsmouth", "2023-01-06", "workshops", "1", "", "", ""])
    with pytest.raises(CommandError, match=r"'workshops' is not an arm of trial CARA \(cara, "):
        command("--trial", "CARA", str(participants), str(reoffences))
    assert Allocation.objects.count() == 12


@pytest.mark.django_db
def test_an_imported_allocation_never_changes(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    command("--trial", "CARA", str(participants), str(reoffences))
    text = participants.read_text().replace(
        "CARA-0002,southampton,2022-01-12,control", "CARA-0002,southampton,2022-01-12,cara"
    )
    participants.write_text(text)
    with pytest.raises(CommandError, match="CARA-0002 was imported before with other arm"):
        command("--trial", "CARA", str(participants), str(reoffences))
    assert Allocation.objects.get(participant_key="CARA-0002").arm.code == "control"


@pytest.mark.django_db
def test_creation_options_must_match_an_existing_trial(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    command("--trial", "CARA", "--windows", "12", str(participants), str(reoffences))
    with pytest.raises(CommandError, match=r"exists with --windows \[12\]"):
        command("--trial", "CARA", "--windows", "12,24", str(participants), str(reoffences))


@pytest.mark.django_db
def test_a_trial_randomising_here_refuses_a_history(tmp_path: Path) -> None:
    trial = make_trial()
    randomise(trial, 1, D(2024, 3, 15))
    participants, reoffences = examples(tmp_path)
    with pytest.raises(NotAllowedError, match="randomises here"):
        trial_history_import(code="CARA", participants=participants, reoffences=reoffences, by=None)


@pytest.mark.django_db
def test_a_third_arm_code_needs_the_intervention_arms_named(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    append(participants, ["CARA-0013", "portsmouth", "2022-06-01", "contrl", "", "", "", ""])
    with pytest.raises(DomainError, match="name the intervention arm"):
        trial_history_import(code="CARA", participants=participants, reoffences=reoffences, by=None)
    with pytest.raises(DomainError, match="contrl, control as control"):
        trial_history_import(
            code="CARA",
            participants=participants,
            reoffences=reoffences,
            options=HistoryOptions(intervention=["cara"]),
            by=None,
        )
    nothing_stored()


@pytest.mark.django_db
def test_an_unknown_offence_code_is_flagged_never_scored_zero(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    append(reoffences, ["CARA-0004", "2022-05-01", "999/99", "same_partner", "H-4001"])
    result = trial_history_import(
        code="CARA", participants=participants, reoffences=reoffences, by=None, today=TODAY
    )
    assert result.unscored == ["999/99"]
    assert result.blocked == 2  # CARA-0004's 12- and 24-month windows wait for the code
    keys = {
        r.participant_key
        for r in snapshots_at_cut(trial=result.trial, window_months=12, data_cut=TODAY)
    }
    assert "CARA-0004" not in keys
    assert len(keys) == 11


@pytest.mark.django_db
def test_bare_trial_ids_no_strata_and_an_optional_record_status(tmp_path: Path) -> None:
    participants = write(
        tmp_path / "p.csv",
        PARTICIPANT_COLUMNS,
        [
            ["0001", "", "2022-01-10", "Treatment", "2", "", "", ""],
            ["0002", "", "2022-01-11", "Control", "", "", "", ""],
        ],
    )
    columns = [*REOFFENCE_COLUMNS, "record_status"]
    rows = [["0002", "2022-02-01", "105/01", "same_partner", "A", "Conviction"]]
    reoffences = write(
        tmp_path / "r.csv", columns, [*rows, ["0001", "2022-03-01", "105/01", "none", "B", ""]]
    )
    result = trial_history_import(
        code="HIST", participants=participants, reoffences=reoffences, by=None, today=TODAY
    )
    assert result.trial.designs.get().strata_factors == {}
    stored = dict(
        ReoffenceRecord.objects.values_list("allocation__participant_key", "record_status")
    )
    assert stored == {"HIST-0002": "conviction", "HIST-0001": "not_recorded"}
    bad = write(
        tmp_path / "bad.csv", columns, [["0002", "2022-02-01", "105/01", "none", "C", "rumour"]]
    )
    with pytest.raises(HistoryRejectedError) as refused:
        trial_history_import(code="HIST", participants=participants, reoffences=bad, by=None)
    assert refused.value.errors[0].message.startswith("'rumour' is not one of arrest, complaint")


def cara_like_files(tmp_path: Path) -> tuple[Path, Path]:
    """293 men (154 workshops, 139 control) whose 12-month CCHI totals are 1,299 and 1,616."""
    catalogue = HarmIndexVersion.objects.get(is_current=True)
    harms = HarmIndexEntry.objects.filter(
        version=catalogue, code__in=["008/06", "008/30", "125/09", "105/01"]
    ).values_list("harm_days", "code")
    by_harm = sorted(((int(h), c) for h, c in harms), reverse=True)  # 10, 5, 3 and 1 days
    people: list[tuple[str, str, datetime.date, str, str, int]] = []
    offences: list[tuple[str, datetime.date, str]] = []
    for arm, n, total, reoffenders in (("cara", 154, 1299, 40), ("control", 139, 1616, 52)):
        start = len(people)
        for i in range(n):
            # 2021-06 to 2022-03: no 29 February in any window, so each is 365 days long.
            day = D(2021, 6, 1) + datetime.timedelta(days=(start + i) * 7 % 300)
            area = "portsmouth" if i % 3 else "southampton"
            workshops = str(i % 3) if arm == "cara" else ""
            people.append((f"CARA-{start + i + 1:04d}", area, day, arm, workshops, 20 + i % 40))
        left, j = total, 0
        while left:
            harm, code = next((h, c) for h, c in by_harm if h <= left)
            key, _, randomised_on, *_ = people[start + j % reoffenders]
            offences.append((key, randomised_on + datetime.timedelta(days=1 + j * 37 % 365), code))
            left, j = left - harm, j + 1
        # On the randomisation day and the day after the window: kept, never counted.
        key, _, randomised_on, *_ = people[start]
        offences.append((key, randomised_on, "008/06"))
        offences.append((key, randomised_on + datetime.timedelta(days=366), "008/06"))
    participants = write(
        tmp_path / "cara-participants.csv",
        PARTICIPANT_COLUMNS,
        [[*p, "common_assault", "standard"] for p in people],
    )
    reoffences = write(
        tmp_path / "cara-reoffences.csv",
        REOFFENCE_COLUMNS,
        [[*o, "same_partner", f"R{k:05d}"] for k, o in enumerate(offences)],
    )
    return participants, reoffences


@pytest.mark.django_db
def test_a_history_shaped_like_the_published_cara_trial_gives_its_figures(tmp_path: Path) -> None:
    participants, reoffences = cara_like_files(tmp_path)
    result = trial_history_import(
        code="CARA",
        participants=participants,
        reoffences=reoffences,
        options=HistoryOptions(title="Project CARA", windows=[12]),
        by=None,
        today=TODAY,
    )
    assert (result.participants_added, result.blocked, result.unscored) == (293, 0, [])
    rows = snapshots_at_cut(trial=result.trial, window_months=12, data_cut=TODAY)
    assert {r.follow_up_days for r in rows} == {365}
    n = {arm: sum(r.arm == arm for r in rows) for arm in ("cara", "control")}
    assert n == {"cara": 154, "control": 139}
    totals = arm_totals(result.trial, 12, TODAY)
    assert totals == {"cara": Decimal(1299), "control": Decimal(1616)}
    means = {arm: totals[arm] / n[arm] for arm in n}
    assert (round(means["cara"], 1), round(means["control"], 1)) == (
        Decimal("8.4"),
        Decimal("11.6"),
    )
    assert round(1 - means["cara"] / means["control"], 2) == Decimal("0.27")  # "27% less harm"
    assert chain_verify(trial=result.trial, by=None).ok
