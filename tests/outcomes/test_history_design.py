"""An imported trial is described as its history records it: method, withdrawals, data lock."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError

from common.exceptions import DomainError
from outcomes.history_rows import REOFFENCE_COLUMNS
from outcomes.models import Snapshot
from outcomes.services import HistoryRejectedError, trial_history_import
from reports.analysis.dataset import NOT_KNOWN
from reports.analysis.results import analyse
from reports.rendering.pdf import render_report_html
from reports.selectors import analysis_dataset
from tests.outcomes.test_import_history import append, command, examples, write
from trial.models import Trial

D = datetime.date
LOCK = D(2024, 1, 31)


@pytest.mark.django_db
def test_an_imported_trial_claims_no_block_sizes_and_no_withdrawal_count(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    command("--trial", "CARA", str(participants), str(reoffences))
    trial = Trial.objects.get(code="CARA")
    dataset = analysis_dataset(
        trial=trial, window_months=12, data_cut=datetime.datetime.now(tz=datetime.UTC).date()
    )
    scheme = dataset.meta.randomisation
    assert (scheme.method, scheme.block_sizes) == (NOT_KNOWN, [])
    assert {f.withdrawn for f in dataset.meta.flow or ()} == {None}
    results = analyse(dataset=dataset, reps=1000)
    assert {a["withdrawn"] for a in results["arms"].values()} == {None}
    html = render_report_html(
        results=results,
        report_type="final",
        generated_at=datetime.datetime.now(tz=datetime.UTC),
        generated_by="test",
    )
    assert "as recorded by the source trial, not known to this application" in html
    assert "permuted blocks of random size" not in html
    assert "Withdrawn after randomisation (not recorded)" in html
    assert "Withdrawn after randomisation (n=0)" not in html


@pytest.mark.django_db
def test_the_method_the_history_records_is_what_the_report_says(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    method = "permuted blocks of 4 within area, by a central telephone service"
    command("--trial", "CARA", "--randomisation", method, str(participants), str(reoffences))
    trial = Trial.objects.get(code="CARA")
    assert trial.randomisation_recorded == method
    today = datetime.datetime.now(tz=datetime.UTC).date()
    dataset = analysis_dataset(trial=trial, window_months=12, data_cut=today)
    assert dataset.meta.randomisation.method == method
    # Given again for the existing trial it must match, as every creation option does.
    with pytest.raises(CommandError, match="--randomisation"):
        command("--trial", "CARA", "--randomisation", "simple", str(participants), str(reoffences))


@pytest.mark.django_db
def test_a_data_lock_freezes_as_of_the_lock_so_a_past_cut_can_be_analysed(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    out = command(
        "--trial", "CARA", "--data-lock", LOCK.isoformat(), str(participants), str(reoffences)
    )
    assert "as of 31/01/2024" in out
    trial = Trial.objects.get(code="CARA")
    assert set(
        Snapshot.objects.filter(allocation__trial=trial).values_list("data_cut", flat=True)
    ) == {LOCK}
    dataset = analysis_dataset(trial=trial, window_months=12, data_cut=LOCK)
    assert len(dataset.rows) == 12
    with pytest.raises(DomainError, match="nothing to analyse"):
        analysis_dataset(trial=trial, window_months=12, data_cut=LOCK - datetime.timedelta(days=1))


@pytest.mark.django_db
def test_a_row_dated_after_the_data_lock_is_refused_naming_the_row(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    append(reoffences, ["CARA-0004", "2024-03-01", "105/01", "same_partner", "H-9001"])
    with pytest.raises(HistoryRejectedError) as refused:
        trial_history_import(
            code="CARA", participants=participants, reoffences=reoffences, by=None, data_lock=LOCK
        )
    error = refused.value.errors[0]
    assert (error.file, error.column) == ("reoffences.csv", "offence_date")
    assert not Trial.objects.exists()


@pytest.mark.django_db
def test_a_data_lock_in_the_future_or_before_an_earlier_import_is_refused(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    with pytest.raises(CommandError, match="in the future"):
        command("--trial", "CARA", "--data-lock", "2999-01-01", str(participants), str(reoffences))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        command("--trial", "CARA", "--data-lock", "31/01/2024", str(participants), str(reoffences))
    assert not Trial.objects.exists()
    command("--trial", "CARA", "--data-lock", LOCK.isoformat(), str(participants), str(reoffences))
    more = write(
        tmp_path / "more.csv",
        REOFFENCE_COLUMNS,
        [["CARA-0004", "2022-05-01", "105/01", "same_partner", "H-9002"]],
    )
    with pytest.raises(DomainError, match="cannot lock its data earlier"):
        trial_history_import(
            code="CARA",
            participants=participants,
            reoffences=more,
            by=None,
            data_lock=LOCK - datetime.timedelta(days=30),
        )
