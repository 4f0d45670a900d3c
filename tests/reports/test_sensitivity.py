"""Sensitivity analyses: outcomes not yet scorable bounded, charge-only, winsorised harm."""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from pathlib import Path
from typing import Any

import pytest

from outcomes.history_rows import PARTICIPANT_COLUMNS, REOFFENCE_COLUMNS
from outcomes.models import HarmIndexEntry, HarmIndexVersion
from outcomes.services import trial_history_import
from reports.analysis.blinding import blind_dataset
from reports.analysis.dataset import AnalysisDataset
from reports.analysis.results import analyse
from reports.rendering.pdf import render_report_html
from reports.selectors import analysis_dataset
from tests.outcomes.test_import_history import append, examples, write
from tests.reports.builders import meta, person

D = datetime.date
TODAY = D(2025, 6, 1)


def _html(results: dict[str, Any]) -> str:
    """The report's text: tags dropped and whitespace collapsed (the flow diagram wraps lines)."""
    html = render_report_html(
        results=results,
        report_type="final",
        generated_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
        generated_by="test",
    )
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.django_db
def test_a_window_waiting_for_an_offence_code_is_counted_and_bounded(tmp_path: Path) -> None:
    participants, reoffences = examples(tmp_path)
    append(reoffences, ["CARA-0004", "2022-05-01", "999/99", "same_partner", "H-4001"])
    trial_history_import(
        code="CARA", participants=participants, reoffences=reoffences, by=None, today=TODAY
    )
    from trial.models import Trial

    dataset = analysis_dataset(
        trial=Trial.objects.get(code="CARA"), window_months=12, data_cut=TODAY
    )
    flows = {f.arm: f for f in dataset.meta.flow or ()}
    assert (flows["cara"].not_frozen, flows["cara"].not_scorable) == (1, 1)
    assert flows["control"].not_scorable == 0
    (waiting,) = dataset.meta.unscorable
    # CARA-0004 has only the unknown record in its window: its harm is the catalogue's ends.
    harms = [
        float(h)
        for h in HarmIndexEntry.objects.filter(
            version=HarmIndexVersion.objects.get(is_current=True)
        ).values_list("harm_days", flat=True)
    ]
    assert (waiting.arm, waiting.offences) == ("cara", 1)
    assert (waiting.harm_min, waiting.harm_max) == (min(harms), max(harms))

    results = analyse(dataset=dataset, reps=1000)
    cara = [r.harm for r in dataset.rows if r.arm == "cara"]
    control = [r.harm for r in dataset.rows if r.arm == "control"]
    bounds = results["sensitivity"]["unscorable_bounds"]
    assert bounds["participants"] == {"intervention": 1, "control": 0}
    for bound, extra in (("min", min(harms)), ("max", max(harms))):
        mean_i = (sum(cara) + extra) / (len(cara) + 1)
        mean_c = sum(control) / len(control)
        harm = bounds[bound]["harm"]
        assert harm["intervention_mean"] == pytest.approx(mean_i)
        assert harm["relative_reduction"] == pytest.approx(1 - mean_i / mean_c)
        events_i = sum(r.reoffended for r in dataset.rows if r.arm == "cara") + 1
        assert bounds[bound]["prevalence"]["intervention"] == pytest.approx(
            events_i / (len(cara) + 1)
        )
    blinded = analyse(dataset=blind_dataset(dataset=dataset), reps=1000)
    waiting_blinded = blinded["sensitivity"]["unscorable_bounds"]["participants"]
    assert sum(waiting_blinded.values()) == 1  # relabelled with its arm, not lost
    html = _html(results)
    assert "Outcome not yet scorable: offence code not in catalogue (n=1)" in html
    assert "Unscorable outcomes at the catalogue&#x27;s greatest harm" in html
    # The history carries no record status: charge-only cannot be counted, and says why.
    assert "charge-only outcomes cannot be counted" in html


@pytest.mark.django_db
def test_charge_only_counts_charged_cautioned_or_convicted_records(tmp_path: Path) -> None:
    participants = write(
        tmp_path / "p.csv",
        PARTICIPANT_COLUMNS,
        [
            ["0001", "", "2022-01-10", "cara", "2", "", "", ""],
            ["0002", "", "2022-01-11", "control", "", "", "", ""],
            ["0003", "", "2022-01-12", "control", "", "", "", ""],
            ["0004", "", "2022-01-13", "cara", "1", "", "", ""],
        ],
    )
    columns = [*REOFFENCE_COLUMNS, "record_status"]
    reoffences = write(
        tmp_path / "r.csv",
        columns,
        [
            ["0001", "2022-03-01", "105/01", "same_partner", "A", "Complaint"],
            ["0002", "2022-03-01", "105/01", "same_partner", "B", "Charge"],
            ["0002", "2022-04-01", "008/06", "same_partner", "C", "Arrest"],
            ["0003", "2022-05-01", "008/06", "same_partner", "D", "Conviction"],
        ],
    )
    result = trial_history_import(
        code="HIST", participants=participants, reoffences=reoffences, by=None, today=TODAY
    )
    dataset = analysis_dataset(trial=result.trial, window_months=12, data_cut=TODAY)
    rows = {r.trial_id: r for r in dataset.rows}
    harm = dict(
        HarmIndexEntry.objects.filter(
            version=HarmIndexVersion.objects.get(is_current=True), code__in=["105/01", "008/06"]
        ).values_list("code", "harm_days")
    )
    assert (rows["HIST-0001"].reoffended, rows["HIST-0001"].reoffended_charged) == (True, False)
    assert rows["HIST-0001"].harm_charged == 0.0
    assert rows["HIST-0002"].reoffended_charged is True
    assert rows["HIST-0002"].harm_charged == float(harm["105/01"])  # the arrest left out
    assert rows["HIST-0003"].harm_charged == float(harm["008/06"])
    charge = analyse(dataset=dataset, reps=1000)["sensitivity"]["charge_only"]
    # 0 of 2 cara vs 2 of 2 control: RR with the 0.5 correction, worked by hand.
    assert charge["prevalence"]["intervention"] == 0.0
    assert charge["prevalence"]["control"] == 1.0
    assert charge["harm"]["control_mean"] == pytest.approx(
        float(harm["105/01"] + harm["008/06"]) / 2
    )


def _dataset(harms: list[float]) -> AnalysisDataset:
    rows = [
        person(i, "cara" if i % 2 else "control", offences=1 if h else 0, harm=h)
        for i, h in enumerate(harms)
    ]
    return AnalysisDataset(meta=meta(), rows=tuple(rows))


def test_winsorising_caps_the_largest_harms_at_the_pooled_99th_percentile() -> None:
    harms = [float(i % 7) for i in range(200)]
    harms[3], harms[10] = 5000.0, 900.0  # one huge in cara (odd), one in control (even)
    dataset = _dataset(harms)
    results = analyse(dataset=dataset, reps=1000)
    w = results["sensitivity"]["winsorised"]
    # Strata here coincide with arms (odd rows are cara and north): no stratified hazard ratio,
    # said in words rather than an overflow.
    cox = results["estimates"]["cox"]
    assert cox["hazard_ratio"] is None
    assert "not estimable" in cox["reason"]
    ordered = sorted(harms)
    # The 99th percentile by linear interpolation between order statistics, worked by hand.
    position = 0.99 * (len(ordered) - 1)
    low = math.floor(position)
    cap = ordered[low] + (position - low) * (ordered[low + 1] - ordered[low])
    assert w["cap"] == pytest.approx(cap)
    assert w["capped"] == sum(h > cap for h in harms)
    capped = [min(h, cap) for h in harms]
    mean_i = sum(c for i, c in enumerate(capped) if i % 2) / 100
    mean_c = sum(c for i, c in enumerate(capped) if not i % 2) / 100
    assert w["harm"]["mean_difference"] == pytest.approx(mean_i - mean_c)
    assert w["harm"]["relative_reduction"] == pytest.approx(1 - mean_i / mean_c)


def test_charge_only_from_hand_made_rows() -> None:
    dataset = _dataset([2.0] * 10 + [0.0] * 30)
    rows = tuple(
        dataclasses.replace(r, reoffended_charged=r.reoffended and i % 4 == 1, harm_charged=0.0)
        for i, r in enumerate(dataset.rows)
    )
    charge = analyse(dataset=dataclasses.replace(dataset, rows=rows), reps=1000)["sensitivity"][
        "charge_only"
    ]
    # cara (odd i) re-offenders among i < 10: 1, 3, 5, 7, 9; charged when i % 4 == 1: 1, 5, 9.
    assert charge["prevalence"]["intervention"] == pytest.approx(3 / 20)
    assert charge["prevalence"]["control"] == 0.0
