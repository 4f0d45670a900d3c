"""CONSORT 2025 in the PDF: the checklist's page numbers, numbers at risk, one compliance figure,
harms by arm, the baseline of all randomised beside those analysed, and "not recorded" hooks."""

from __future__ import annotations

import datetime
import re
import subprocess
from dataclasses import replace
from datetime import UTC
from datetime import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from reports.analysis.dataset import AnalysisDataset, ArmFlow, FeedbackAnswer
from reports.analysis.randomised import RandomisedBaseline
from reports.analysis.results import analyse
from reports.rendering.pdf import build_report
from tests.reports.builders import cara_published, person

GENERATED_AT = dt(2016, 7, 4, 9, 30, tzinfo=UTC)


def _with_flow(dataset: AnalysisDataset) -> AnalysisDataset:
    """Add what a live trial's dataset carries: the flow with harms, and everyone randomised."""
    flows = (
        ArmFlow(
            arm="cara",
            randomised=160,
            window_open=6,
            not_frozen=0,
            withdrawn=0,
            received=123,
            not_received=37,
            received_not_recorded=0,
            safety_events=4,
        ),
        ArmFlow(
            arm="control",
            randomised=139,
            window_open=0,
            not_frozen=0,
            withdrawn=0,
            safety_events=7,
        ),
    )
    everyone = [
        RandomisedBaseline(
            trial_id=r.trial_id,
            arm=r.arm,
            stratum=r.stratum,
            randomised_on=r.randomised_on,
            age=r.age,
            offence_type=r.offence_type,
            dash_risk=r.dash_risk,
        )
        for r in dataset.rows
    ]
    # Six men whose window was still open: randomised, not analysed.
    for k in range(6):
        late = person(900 + k, "cara", randomised_on=datetime.date(2016, 3, 1 + k))
        everyone.append(
            RandomisedBaseline(
                trial_id=late.trial_id,
                arm="cara",
                stratum=late.stratum,
                randomised_on=late.randomised_on,
                age=70,
                offence_type="harassment",
                dash_risk="medium",
            )
        )
    meta = replace(dataset.meta, flow=flows, randomised=tuple(everyone))
    return replace(dataset, meta=meta)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[AnalysisDataset, str]:
    dataset = _with_flow(cara_published())
    _, pdf = build_report(
        dataset=dataset,
        report_type="final",
        generated_at=GENERATED_AT,
        generated_by="Dr R. Searcher",
        reps=1000,
    )
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return dataset, text


def _checklist(text: str) -> dict[str, str]:
    """Return {item: where reported} read from the checklist page(s)."""
    start = text.index("CONSORT 2025 checklist")
    found = {}
    for line in text[start:].splitlines():
        match = re.match(
            r"\s*(\d+[ab]?)\s{2,}.+?\s{2,}(page \d+|not applicable / not recorded)\s*$", line
        )
        if match:
            found[match[1]] = match[2]
    return found


def _page_of(text: str, words: str) -> int:
    """Return the 1-based page on which words first appear."""
    return text[: text.index(words)].count("\f") + 1


def test_the_checklist_gives_the_page_where_each_item_is_reported(report) -> None:
    _, text = report
    items = _checklist(text)
    assert len(items) >= 40
    assert items["22a"] == f"page {_page_of(text, '1. Participant flow (CONSORT)')}"
    assert items["25"] == f"page {_page_of(text, '3. Baseline characteristics')}"
    assert items["29"] == f"page {_page_of(text, 'Victim-safety events (police')}"
    assert items["23a"] == f"page {_page_of(text, 'Recruitment and follow-up dates')}"
    assert items["12a"] == "not applicable / not recorded"


def test_numbers_at_risk_under_the_km_plot_match_lifelines(report) -> None:
    dataset, text = report
    block = text[text.index("Numbers at risk") :].splitlines()[1:3]
    rows = {
        line.split()[0]: [int(n.replace(",", "")) for n in re.findall(r"[\d,]+", line)]
        for line in block
    }
    for arm, first_word in (("cara", "CARA"), ("control", "Caution")):
        arm_rows = [r for r in dataset.rows if r.arm == arm]
        time = np.array([r.days_to_first or r.follow_up_days for r in arm_rows], float)
        seen = np.array([r.days_to_first is not None for r in arm_rows])
        table = KaplanMeierFitter().fit(time, seen).event_table
        expected = []
        for day in (0, 90, 180, 270, 360):
            # lifelines: at_risk at a time counts those with duration >= that time.
            later = table[table.index >= day]
            expected.append(int(later["at_risk"].iloc[0]) if len(later) else 0)
        assert rows[first_word] == expected


def test_one_compliance_definition_harms_by_arm_and_not_recorded_plan(report) -> None:
    _, text = report
    flat = re.sub(r"\s+", " ", text)
    # 123 of the 160 allocated attended both, wherever compliance is given.
    assert flat.count("123/160 (76.9%)") >= 2
    assert "93.6%" not in flat
    # The CACE's input is the same definition over those analysed, said as such.
    assert "123/154 (79.9%)" in flat
    harms = flat[flat.index("Victim-safety events (police") :]
    assert re.search(r"CARA workshops 4 Caution only 7", harms)
    for label in (
        "Trial registration",
        "Statistical analysis plan version",
        "Funding",
        "Data sharing statement",
    ):
        assert f"{label} not recorded" in flat
    assert "Feedback questionnaire response rate" in flat
    assert "Participants and case officers were not blinded" in flat
    assert "permuted blocks of random size 2, 4, 6" in flat


def test_baseline_is_shown_for_those_analysed_and_for_all_randomised(report) -> None:
    dataset, text = report
    flat = re.sub(r"\s+", " ", text)
    assert f"those analysed (n={len(dataset.rows)})" in flat
    assert "all randomised by the data cut (n=299)" in flat
    results = analyse(dataset=dataset, reps=1000)
    # Only the six men not analysed were harassment cases: 6 of the 160 CARA men randomised.
    everyone = results["consort_2025"]["baseline_randomised"]
    assert everyone["offence_type"]["harassment"]["cara"]["n"] == 6
    assert round(everyone["offence_type"]["harassment"]["cara"]["percent"], 6) == round(
        600 / 160, 6
    )
    dates = results["consort_2025"]["dates"]
    assert dates["first_randomised"] == min(r.randomised_on for r in dataset.rows).isoformat()
    assert dates["last_randomised"] == "2016-03-06"


def test_a_trial_without_the_new_records_says_not_recorded(tmp_path: Path) -> None:
    _, pdf = build_report(
        dataset=cara_published(),
        report_type="final",
        generated_at=GENERATED_AT,
        generated_by="x",
        reps=1000,
    )
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    flat = re.sub(
        r"\s+",
        " ",
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout,
    )
    assert "Baseline of all randomised: not recorded" in flat
    harms = flat[flat.index("Victim-safety events (police") :]
    assert "CARA workshops not recorded Caution only not recorded" in harms


def test_a_blinded_report_keeps_harms_and_all_randomised_under_the_letters(tmp_path: Path) -> None:
    dataset = _with_flow(cara_published())
    results, pdf = build_report(
        dataset=dataset,
        report_type="interim",
        generated_at=GENERATED_AT,
        generated_by="DMC secretary",
        blinded=True,
        reps=1000,
    )
    extra = results["consort_2025"]
    assert sorted(extra["safety_events"].values()) == [4, 7]
    ages = extra["baseline_randomised"]["age"]
    assert sorted(a["n"] for a in ages.values()) == [139, 160]
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "workshop" not in text.lower()
    assert "Numbers at risk" in text


def test_the_feedback_response_rate_is_answered_over_those_asked() -> None:
    dataset = _with_flow(cara_published())
    answers = (
        FeedbackAnswer("I would recommend the workshops", 5),
        FeedbackAnswer("I would recommend the workshops", 4),
        FeedbackAnswer("I would recommend the workshops", 2),
        FeedbackAnswer("The workshops changed how I see my partner", 3),
    )
    dataset = replace(dataset, meta=replace(dataset.meta, feedback=answers))
    response = analyse(dataset=dataset, reps=1000)["consort_2025"]["feedback_response"]
    # By hand: three men answered; the 123 who attended both workshops were asked.
    assert response == {"answered": 3, "asked": 123, "percent": pytest.approx(300 / 123)}
