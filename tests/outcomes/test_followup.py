"""Follow-up waves: frozen snapshots, unscored codes, corrections and the reports' selector."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from common.exceptions import DomainError
from outcomes.models import RecordSource, Snapshot
from outcomes.selectors import snapshots_at_cut, unscored_codes
from outcomes.services import (
    followup,
    followup_wave_run,
    harm_index_load,
    offence_code_map,
    snapshot_correct,
    snapshots_freeze,
    source_create,
    source_pull,
)
from tests.outcomes.support import folder_source, make_trial, randomise, row, write_csv
from trial.models import Trial

D = datetime.date
TODAY = D(2025, 6, 1)


def with_records(tmp_path: Path, rows: list[list[str]]) -> tuple[Trial, RecordSource]:
    trial = make_trial()
    randomise(trial, 1, D(2024, 3, 15))  # 12-month window closed on 15/03/2025
    randomise(trial, 2, D(2024, 3, 15))
    randomise(trial, 3, D(2024, 2, 29))  # closed on 28/02/2025
    randomise(trial, 4, D(2025, 1, 10))  # still open on TODAY
    source = folder_source(trial, tmp_path / "drop")
    write_csv(tmp_path / "drop" / "x.csv", rows)
    return trial, source


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_wave_freezes_closed_windows_with_harm_and_flags(tmp_path: Path) -> None:
    trial, _ = with_records(
        tmp_path,
        [
            row("R1", 1, D(2024, 6, 1), "008/06", "other_partner"),  # ABH, 10 days
            row("R2", 1, D(2025, 3, 15), "105/01", "same_partner"),  # last day: counts
            row("R3", 1, D(2025, 3, 16), "008/66", "same_partner"),  # day after: not counted
            row("R4", 2, D(2024, 3, 1), "105/01", "same_partner"),  # before randomisation
            row("R5", 3, D(2025, 2, 28), "125/09", "non_domestic"),
            row("R6", 4, D(2025, 2, 1), "105/01", "same_partner"),
        ],
    )
    result = followup_wave_run(trial=trial, today=TODAY)
    assert (result.frozen, result.blocked, result.failed_sources) == (3, 0, [])
    rows = {
        r.participant_key: r
        for r in snapshots_at_cut(trial=trial, window_months=12, data_cut=TODAY)
    }
    assert set(rows) == {"CARA-0001", "CARA-0002", "CARA-0003"}
    one = rows["CARA-0001"]
    assert (one.offences, one.harm_days, one.days_to_first) == (2, Decimal(11), 78)
    assert (one.reoffended, one.same_partner, one.domestic) == (True, True, True)
    assert one.harm_index == "CCHI-2020-DA"
    two = rows["CARA-0002"]
    assert (two.offences, two.harm_days, two.reoffended, two.days_to_first) == (0, 0, False, None)
    three = rows["CARA-0003"]
    assert (three.window_end, three.offences, three.domestic) == (D(2025, 2, 28), 1, False)
    assert three.arm in ("cara", "control")
    assert three.randomised_on == D(2024, 2, 29)
    assert three.follow_up_days == 365
    assert three.stratum == "area=north"
    snap = Snapshot.objects.get(allocation__participant_key="CARA-0001")
    assert snap.import_run_ids
    assert snap.last_import_run_id == snap.import_run_ids[0]

    # Running the wave again changes nothing; so does a later day with no new window closed.
    assert followup_wave_run(trial=trial, today=TODAY).frozen == 0
    assert followup_wave_run(trial=trial, today=D(2025, 6, 2)).frozen == 0
    assert Snapshot.objects.count() == 3


@pytest.mark.django_db
def test_an_unknown_offence_code_blocks_only_that_snapshot_until_resolved(tmp_path: Path) -> None:
    trial, _ = with_records(
        tmp_path,
        [row("R1", 1, D(2024, 6, 1), "008/77"), row("R2", 2, D(2024, 6, 1), "008/01")],
    )
    result = followup_wave_run(trial=trial, today=TODAY)
    assert (result.frozen, result.blocked) == (1, 2)
    assert [(u.code, u.records, u.participants) for u in unscored_codes(trial)] == [
        ("008/01", 1, 1),
        ("008/77", 1, 1),
    ]
    assert not Snapshot.objects.filter(allocation__participant_key="CARA-0001").exists()

    # Resolved by a mapping and by a catalogue version that has the code.
    offence_code_map(from_code="008/01", to_code="008/01-minor", reason="Minor wound", by=None)
    assert followup_wave_run(trial=trial, today=TODAY).frozen == 1
    new = tmp_path / "cchi.csv"
    new.write_text(
        "code,title,harm_days,source\n008/77,Non-fatal strangulation,365,test\n", encoding="utf-8"
    )
    harm_index_load(path=new, version="CCHI-TEST", by=None)
    assert followup_wave_run(trial=trial, today=TODAY).frozen == 1
    harms = dict(Snapshot.objects.values_list("allocation__participant_key", "harm_days"))
    assert harms == {"CARA-0001": 365, "CARA-0002": 19, "CARA-0003": 0}
    # The newer catalogue lacks 008/01-minor, so CARA-0002's 24-month window will wait for it.
    assert [u.code for u in unscored_codes(trial)] == ["008/01"]


@pytest.mark.django_db
def test_a_correction_is_a_new_version_and_old_cuts_still_see_the_old_one(tmp_path: Path) -> None:
    trial, source = with_records(tmp_path, [row("R1", 1, D(2024, 6, 1), "105/01")])
    followup_wave_run(trial=trial, today=TODAY)
    allocation = trial.allocations.get(participant_key="CARA-0001")
    snapshot = Snapshot.objects.get(allocation=allocation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(
            allocation=allocation,
            window_months=12,
            version=1,
            data_cut=TODAY,
            window_end=snapshot.window_end,
            offences=0,
            harm_days=0,
            reoffended=False,
            same_partner=False,
            domestic=False,
            harm_index=snapshot.harm_index,
        )

    # A late record arrives; the frozen snapshot does not move.
    write_csv(tmp_path / "drop" / "late.csv", [row("R9", 1, D(2024, 9, 1), "008/06")])
    source_pull(source=source)
    followup_wave_run(trial=trial, today=D(2025, 7, 1))
    assert Snapshot.objects.get(allocation=allocation).offences == 1
    with pytest.raises(DomainError, match="Say why"):
        snapshot_correct(allocation=allocation, window_months=12, reason=" ", by=None)
    fixed = snapshot_correct(
        allocation=allocation,
        window_months=12,
        reason="Late record R9 from the records system",
        today=D(2025, 7, 2),
        by=None,
    )
    assert (fixed.version, fixed.offences, fixed.harm_days) == (2, 2, 11)

    def harm_at(cut: datetime.date) -> Decimal:
        (mine,) = [
            r
            for r in snapshots_at_cut(trial=trial, window_months=12, data_cut=cut)
            if r.participant_key == "CARA-0001"
        ]
        return mine.harm_days

    assert harm_at(TODAY) == 1
    assert harm_at(D(2025, 7, 2)) == 11
    assert len(snapshots_at_cut(trial=trial, window_months=12, data_cut=D(2025, 7, 2))) == 3
    assert snapshots_at_cut(trial=trial, window_months=12, data_cut=D(2025, 5, 31)) == []


@pytest.mark.django_db
def test_a_wave_stopped_half_way_and_run_again_gives_the_same_snapshots(tmp_path: Path) -> None:
    trial = make_trial()
    for number in range(1, 31):
        randomise(trial, number, D(2024, 1, 1) + datetime.timedelta(days=number))
    folder_source(trial, tmp_path / "drop")
    write_csv(
        tmp_path / "drop" / "x.csv",
        [row(f"R{n}", n, D(2024, 6, 1), "008/06") for n in range(1, 31, 3)],
    )
    followup_wave_run(trial=trial, today=D(2024, 7, 1))  # imports the records; no window closed yet

    followup.FREEZE_BATCH, saved = 7, followup.FREEZE_BATCH
    try:
        partial = snapshots_freeze(trial=trial, today=TODAY, limit=7)  # "killed" after a batch
        assert partial.frozen == 7
        assert followup_wave_run(trial=trial, today=TODAY).frozen == 23
        assert followup_wave_run(trial=trial, today=TODAY).frozen == 0
    finally:
        followup.FREEZE_BATCH = saved
    reference = {
        (r.participant_key, r.offences, r.harm_days, r.days_to_first)
        for r in snapshots_at_cut(trial=trial, window_months=12, data_cut=TODAY)
    }
    assert len(reference) == Snapshot.objects.count() == 30
    assert sum(r[1] for r in reference) == 10


@pytest.mark.django_db
def test_a_failed_source_holds_back_that_trials_snapshots(tmp_path: Path) -> None:
    trial, _ = with_records(tmp_path, [row("R1", 1, D(2024, 6, 1), "105/01")])
    source_create(trial=trial, name="Gone", kind="folder", folder=str(tmp_path / "nope"), by=None)
    result = followup_wave_run(trial=trial, today=TODAY)
    assert result.failed_sources == ["Gone"]
    assert result.transient
    assert Snapshot.objects.count() == 0


@pytest.mark.django_db
def test_records_that_arrived_before_the_person_was_randomised_are_matched_later(
    tmp_path: Path,
) -> None:
    trial = make_trial()
    source = folder_source(trial, tmp_path / "drop")
    write_csv(tmp_path / "drop" / "x.csv", [row("R1", 7, D(2024, 6, 1))])
    assert source_pull(source=source).runs[0].unmatched == 1
    randomise(trial, 7, D(2024, 3, 1))
    followup_wave_run(trial=trial, today=TODAY)
    (snap,) = snapshots_at_cut(trial=trial, window_months=12, data_cut=TODAY)
    assert (snap.participant_key, snap.offences) == ("CARA-0007", 1)
