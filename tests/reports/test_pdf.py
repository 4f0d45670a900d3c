"""The PDF read back as a researcher or a data monitoring committee would read it."""

from __future__ import annotations

import html
import math
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.stats.contingency_tables import StratifiedTable

from reports.analysis.dataset import (
    AnalysisDataset,
    ArmFlow,
    ArmInfo,
    Screening,
    dataset_sha256,
)
from reports.analysis.results import analyse
from reports.analysis.synthetic import synthetic_dataset
from reports.rendering.consort_svg import consort_svg
from reports.rendering.pdf import build_report, render_report_html
from reports.version import software_version
from tests.reports.builders import cara_published, meta, person

Z = NormalDist().inv_cdf(0.975)
GENERATED_AT = datetime(2016, 7, 4, 9, 30, tzinfo=UTC)
SCREENING = Screening(
    assessed=1186, excluded_by_reason={"not eligible": 743, "victim declined": 150}
)


def _svg_text(svg: str) -> str:
    """Return the diagram's text, wrapped lines joined with spaces."""
    return html.unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)))


def _pages(pdf: bytes, tmp: Path) -> list[str]:
    """Return the text of each page, as pdftotext lays it out."""
    path = tmp / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[AnalysisDataset, list[str]]:
    dataset = cara_published(screening=SCREENING)
    _, pdf = build_report(
        dataset=dataset,
        report_type="final",
        generated_at=GENERATED_AT,
        generated_by="Dr R. Searcher",
        reps=1000,
    )
    return dataset, _pages(pdf, tmp_path_factory.mktemp("pdf"))


def test_cover_names_the_report_and_the_exact_data_it_came_from(published) -> None:
    dataset, pages = published
    cover = pages[0]
    assert "Project CARA" in cover
    assert "Final report" in cover
    assert "12 months after randomisation" in cover
    assert "30/06/2016" in cover
    assert "Dr R. Searcher" in cover
    assert f"trial-manager {software_version()}" in cover
    assert dataset_sha256(dataset=dataset) in cover.replace(" ", "")


def test_headline_numbers_match_the_published_trial(published) -> None:
    _, pages = published
    text = re.sub(r"\s+", " ", "\n".join(pages))
    assert "8.4 CCHI days in CARA workshops vs 11.6 in Caution only: 27.4% less harm" in text
    assert "1,299.0" in text
    assert "1,616.0" in text


def test_consort_diagram_shows_every_count(published) -> None:
    _, pages = published
    text = re.sub(r"\s+", " ", "\n".join(pages))
    for phrase in (
        "Assessed for eligibility (n=1186)",
        "Excluded (n=893)",
        "not eligible (n=743)",
        "victim declined (n=150)",
        "Randomised (n=293)",
        "Allocated to CARA workshops (n=154)",
        "Allocated to Caution only (n=139)",
        "Analysed (n=154)",
        "Analysed (n=139)",
    ):
        assert phrase in text, phrase
    assert "Received allocated intervention (n=123)" in text
    assert "Did not receive allocated intervention (n=31)" in text


def test_report_has_a_sane_number_of_pages_with_numbers_in_the_footer(published) -> None:
    _, pages = published
    # CONSORT 2025 asks for statements, harms, sensitivity analyses and a checklist page: still a
    # report a reader gets through, not a data dump.
    assert 6 <= len(pages) <= 14
    assert f"Page 2 of {len(pages)}" in pages[1]


def test_tables_do_not_split_across_pages(published) -> None:
    _, pages = published
    for first, last in (
        ("Harm (Cambridge Crime Harm Index days)", "p (Mann-Whitney U)"),
        ("Re-offending within the window", "Domestic"),
        ("Frequency of re-offending", "p (Poisson model"),
    ):
        holding = [i for i, page in enumerate(pages) if first in page]
        assert holding, first
        assert last in pages[holding[0]], f"{first!r} split from {last!r}"


def test_blinded_report_names_no_arm_and_shows_no_mapping(tmp_path: Path) -> None:
    dataset = cara_published(screening=SCREENING)
    _, pdf = build_report(
        dataset=dataset,
        report_type="interim",
        generated_at=GENERATED_AT,
        generated_by="DMC secretary",
        blinded=True,
        reps=1000,
    )
    text = "\n".join(_pages(pdf, tmp_path))
    assert "Arm A" in text
    assert "Arm B" in text
    for revealing in ("CARA workshops", "Caution only", "workshop", "caution", "control"):
        assert revealing.lower() not in text.lower(), revealing
    assert dataset_sha256(dataset=dataset) in text.replace(" ", "")
    assert "Randomised (n=293)" in re.sub(r"\s+", " ", text)


def test_a_long_baseline_table_breaks_only_between_characteristics(tmp_path: Path) -> None:
    areas = [f"area-{i:02d}" for i in range(30)]
    base = synthetic_dataset(n=900, meta=meta(strata=areas))
    rows = tuple(
        row.__class__(
            **{**{f: getattr(row, f) for f in row.__slots__}, "stratum": f"area={areas[i % 30]}"}
        )
        for i, row in enumerate(base.rows)
    )
    dataset = AnalysisDataset(meta=base.meta, rows=rows)
    results = analyse(dataset=dataset, reps=1000)
    html = render_report_html(
        results=results, report_type="interim", generated_at=GENERATED_AT, generated_by="R"
    )
    assert "break-inside: avoid" in html
    _, pdf = build_report(
        dataset=dataset,
        report_type="interim",
        generated_at=GENERATED_AT,
        generated_by="R",
        reps=1000,
    )
    pages = _pages(pdf, tmp_path)
    assert 5 <= len(pages) <= 16  # two baseline tables of 30 strata, then the CONSORT pages
    stratum_page = next(p for p in pages if "Stratum, n (%)" in p)
    # The 30 strata form one group that moves whole to the next page, under a repeated header.
    assert all(f"area={a}" in stratum_page for a in areas)
    assert "Characteristic" in stratum_page
    assert "Table 1." not in stratum_page


# An interim cut: 390 randomised, 293 with the window closed and frozen (154 + 139).
INTERIM_FLOW = (
    ArmFlow(
        arm="cara",
        randomised=200,
        window_open=46,
        not_frozen=0,
        withdrawn=3,
        received=150,
        not_received=50,
        received_not_recorded=0,
        randomised_by_month=(("2015-01", 120), ("2015-02", 80)),
    ),
    ArmFlow(
        arm="control",
        randomised=190,
        window_open=40,
        not_frozen=11,
        withdrawn=2,
        randomised_by_month=(("2015-01", 110), ("2015-03", 80)),
    ),
)
INTERIM_SCREENING = Screening(
    assessed=1186, excluded_by_reason={"Ineligible: DASH risk high": 646, "Victim declined": 150}
)


@pytest.mark.parametrize("blinded", [False, True])
def test_an_interim_flow_counts_everyone_randomised_by_the_cut(
    tmp_path: Path, blinded: bool
) -> None:
    dataset = cara_published(screening=INTERIM_SCREENING, flow=INTERIM_FLOW)
    results, pdf = build_report(
        dataset=dataset,
        report_type="interim",
        generated_at=GENERATED_AT,
        generated_by="R",
        blinded=blinded,
        reps=1000,
    )
    pages = _pages(pdf, tmp_path)
    text = re.sub(r"\s+", " ", "\n".join(pages))
    consort = results["consort"]
    # assessed - excluded = randomised = sum of the arms; per arm, allocated - open - not
    # frozen = analysed (withdrawn men are analysed when frozen: intention-to-treat).
    assert (consort["assessed"], consort["excluded"], consort["randomised"]) == (1186, 796, 390)
    assert sum(a["allocated"] for a in consort["arms"].values()) == 390
    assert consort["analysed"] == 293
    for arm in consort["arms"].values():
        assert arm["allocated"] - arm["window_open"] - arm["not_frozen"] == arm["analysed"]
        assert arm["excluded_from_analysis"] == 0
    assert "Excluded (n=796)" in text
    assert "Randomised (n=390)" in text
    assert "follow-up window not closed" not in text.lower()  # not in the Excluded box
    labels = [(c, results["arms"][c]["name"]) for c in results["arms"]]
    diagram = _svg_text(consort_svg(consort=consort, arms=labels, blinded=blinded))
    assert "Window not yet closed at the cut (n=46)" in diagram
    assert "Window not yet closed at the cut (n=40)" in diagram
    assert "Window closed but not frozen at the cut (n=11)" in diagram
    assert diagram.count("not frozen") == 1  # only where some closed windows wait
    assert "Analysed (n=154)" in text
    # The recruitment chart shows all 390 randomised by the cut, not the 293 analysed.
    recruitment = results["recruitment"]
    assert recruitment["months"] == ["2015-01", "2015-02", "2015-03"]
    assert sorted(map(tuple, recruitment["arms"].values())) == [(110, 0, 80), (120, 80, 0)]
    assert "Everyone randomised on or before the data cut" in text
    assert "Analysed (n=139)" in text
    cover = re.sub(r"\s+", " ", pages[0])
    assert "390 randomised by the cut; 293 with the 12-month window closed and analysed" in cover
    if blinded:
        assert "Allocated to Arm A (n=" in text
        assert {a["allocated"] for a in consort["arms"].values()} == {200, 190}
        assert "Received allocated intervention" not in text
        assert "CARA workshops" not in text
        assert "Caution only" not in text
    else:
        assert "Allocated to CARA workshops (n=200)" in text
        assert "Allocated to Caution only (n=190)" in text
        assert "Received allocated intervention (n=150)" in text
        assert "Did not receive allocated intervention (n=50)" in text
        assert "(CARA workshops 154, Caution only 139)" in cover


def test_consort_diagram_says_not_recorded_for_an_imported_trial() -> None:
    results = analyse(dataset=cara_published(), reps=1000)
    svg = consort_svg(
        consort=results["consort"],
        arms=[("cara", "CARA workshops"), ("control", "Caution only")],
        blinded=False,
    )
    assert "Assessed for eligibility (not recorded)" in svg
    assert "Excluded (not recorded)" in svg
    assert "Assessed for eligibility (n=" not in svg
    assert "Excluded (n=" not in svg


def _stroke(element: ET.Element) -> float:
    return float(element.get("stroke-width", "0")) if element.get("stroke", "none") != "none" else 0


@pytest.mark.parametrize(
    ("arms", "blinded"),
    [
        ([("cara", "CARA workshops"), ("control", "Caution only")], False),
        ([("cara", "Arm A"), ("control", "Arm B")], True),
        ([("cara", "CARA workshops"), ("online", "Online"), ("control", "Caution only")], False),
    ],
)
def test_every_consort_box_lies_inside_the_drawing_border_included(
    arms: list[tuple[str, str]], blinded: bool
) -> None:
    flow = (
        *INTERIM_FLOW,
        ArmFlow(arm="online", randomised=9, window_open=9, not_frozen=0, withdrawn=0),
    )
    screening = Screening(
        assessed=1186,
        excluded_by_reason={
            "Ineligible: Violence conviction or caution in the last 2 years": 600,
            "Awaiting consent or enrolment at the data cut": 46,
            "Victim declined consent": 150,
        },
    )
    arm_infos = tuple(
        ArmInfo(code=code, name=label, is_intervention=code != "control") for code, label in arms
    )
    rows = [person(i, code, workshops_attended=None) for i, (code, _) in enumerate(arms * 3)]
    dataset = AnalysisDataset(
        meta=meta(arms=arm_infos, screening=screening, flow=flow[: len(arms)]), rows=tuple(rows)
    )
    results = analyse(dataset=dataset, reps=1000)
    markup = consort_svg(consort=results["consort"], arms=arms, blinded=blinded)
    svg = ET.fromstring(markup)  # noqa: S314 (our own SVG, not untrusted input)
    vx, vy, vw, vh = (float(v) for v in svg.get("viewBox", "").split())
    rects = [e for e in svg.iter() if e.tag.endswith("rect")]
    assert len(rects) >= 3 + 3 * len(arms)
    for rect in rects:
        half = _stroke(rect) / 2
        x, y = float(rect.get("x", "0")), float(rect.get("y", "0"))
        w, h = float(rect.get("width", "0")), float(rect.get("height", "0"))
        assert x - half >= vx, rect.attrib
        assert y - half >= vy, rect.attrib
        assert x + w + half <= vx + vw, rect.attrib
        assert y + h + half <= vy + vh, rect.attrib


@pytest.mark.parametrize(
    "arms",
    [
        [("cara", "CARA workshops"), ("control", "Caution only")],
        [("cara", "CARA workshops"), ("online", "Online"), ("control", "Caution only")],
    ],
)
def test_consort_counts_stay_on_a_line_with_their_words(arms: list[tuple[str, str]]) -> None:
    flow = (
        *INTERIM_FLOW,
        ArmFlow(arm="online", randomised=9, window_open=9, not_frozen=0, withdrawn=0),
    )
    arm_infos = tuple(
        ArmInfo(code=code, name=label, is_intervention=code != "control") for code, label in arms
    )
    rows = [person(i, code, workshops_attended=None) for i, (code, _) in enumerate(arms * 3)]
    dataset = AnalysisDataset(
        meta=meta(arms=arm_infos, screening=INTERIM_SCREENING, flow=flow[: len(arms)]),
        rows=tuple(rows),
    )
    results = analyse(dataset=dataset, reps=1000)
    markup = consort_svg(consort=results["consort"], arms=arms, blinded=False)
    lines = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", markup)]
    # No line is a bare "(n=46)" or "(not recorded)" cut off from what it counts.
    orphans = [line for line in lines if re.fullmatch(r"\s*\((n=[\d,]+|not recorded)\)\s*", line)]
    assert orphans == []
    assert all("\u00a0" not in line for line in lines)
    if len(arms) == 2:  # the two-arm column holds the whole line
        assert "Window not yet closed at the cut (n=46)" in lines
        assert "Window closed but not frozen at the cut (n=11)" in lines


def test_the_estimates_section_prints_the_mantel_haenszel_rr_and_ri_draws(published) -> None:
    dataset, pages = published
    text = re.sub(r"\s+", " ", "\n".join(pages))
    # The MH RR worked out by statsmodels from the two areas' 2x2 tables.
    tables: dict[str, np.ndarray] = {}
    for row in dataset.rows:
        cell = tables.setdefault(row.stratum, np.zeros((2, 2)))
        cell[0 if row.arm == "cara" else 1, 0 if row.reoffended else 1] += 1
    mh = StratifiedTable(list(tables.values())).riskratio_pooled
    assert f"Risk ratio, Mantel-Haenszel over strata {mh:.2f} (95% CI" in text
    assert "10,000 draws, seed 20160701" in text
    # Relative reduction in mean harm by hand: delta method on the log of the ratio of means.
    harm_i = np.array([r.harm for r in dataset.rows if r.arm == "cara"])
    harm_c = np.array([r.harm for r in dataset.rows if r.arm == "control"])
    ratio = harm_i.mean() / harm_c.mean()
    se = math.sqrt(
        harm_i.var(ddof=1) / (harm_i.size * harm_i.mean() ** 2)
        + harm_c.var(ddof=1) / (harm_c.size * harm_c.mean() ** 2)
    )
    lo, hi = 1 - ratio * math.exp(Z * se), 1 - ratio * math.exp(-Z * se)
    assert "Relative reduction in mean harm" in text
    figure = f"{100 * (1 - ratio):.1f}% (95% CI {100 * lo:.1f} to {100 * hi:.1f}%)"
    assert figure in text
    assert figure in re.sub(r"\s+", " ", pages[0])  # the cover's headline carries its interval
    # The Cox hazard ratio as statsmodels' PHReg gives it, stratified by area.
    time = np.array([r.days_to_first or r.follow_up_days for r in dataset.rows], dtype=float)
    event = np.array([r.reoffended for r in dataset.rows], dtype=int)
    arm = np.array([[1.0 if r.arm == "cara" else 0.0] for r in dataset.rows])
    fit = PHReg(
        time, arm, status=event, strata=np.array([r.stratum for r in dataset.rows]), ties="efron"
    ).fit()
    beta, se_b = float(fit.params[0]), float(fit.bse[0])
    assert "Hazard ratio, Cox stratified by stratum" in text
    assert (
        f"{math.exp(beta):.2f} (95% CI {math.exp(beta - Z * se_b):.2f} to "
        f"{math.exp(beta + Z * se_b):.2f})"
    ) in text


def test_a_small_trial_says_its_estimates_are_not_shown(tmp_path: Path) -> None:
    dataset = AnalysisDataset(
        meta=meta(),
        rows=tuple(
            [person(i, "cara") for i in range(4)]
            + [person(10 + i, "control", offences=1, harm=3.0) for i in range(3)]
            + [person(20, "control")]
        ),
    )
    _, pdf = build_report(
        dataset=dataset, report_type="final", generated_at=GENERATED_AT, generated_by="x"
    )
    pages = _pages(pdf, tmp_path)
    text = re.sub(r"\s+", " ", "\n".join(pages))
    assert "Estimates are not shown: 4 analysed in CARA workshops and 4 in Caution only" in text
    assert "Estimates are not shown" in pages[0]
    assert "0.00 (" not in text
