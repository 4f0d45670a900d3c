"""CONSORT 2025 in the PDF: the statements it asks for and the checklist page with page numbers.

Everything here formats results already computed (reports/analysis/consort2025.py) and the
trial's analysis plan when one is recorded (`plan`, None until the plan exists); a fact the
application does not hold is printed "not recorded", never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports.rendering import formatting as f

NOT_RECORDED = "not recorded"
# The plan's facts the report prints, in the order of CONSORT 2025's open-science items.
PLAN_FIELDS = (
    ("registration", "Trial registration"),
    ("protocol_version", "Protocol version"),
    ("plan_version", "Statistical analysis plan version"),
    ("funding", "Funding"),
    ("data_sharing", "Data sharing statement"),
    ("sample_size", "Planned sample size"),
)
# (item, what it asks, anchor in the report or None): wording abridged from CONSORT 2025.
ITEMS: tuple[tuple[str, str, str | None], ...] = (
    ("1a", "Identification as a randomised trial", "cover"),
    ("1b", "Structured summary of the design, methods, results", "cover"),
    ("2", "Trial registration: name of registry, identifier and date", "open-science"),
    ("3", "Where the protocol and statistical analysis plan can be accessed", "open-science"),
    ("4", "Where and how the data, code and materials can be accessed", "open-science"),
    ("5a", "Sources of funding and their role", "open-science"),
    ("5b", "Financial and other conflicts of interest", None),
    ("6", "Scientific background and rationale", None),
    ("7", "Specific objectives", None),
    ("8", "Patient and public involvement", None),
    ("9", "Trial design, including the allocation ratio", "randomisation"),
    ("10", "Important changes to the trial after it commenced", None),
    ("11", "Settings and locations where the data were collected", None),
    ("12a", "Eligibility criteria for participants", None),
    ("13", "Intervention and comparator with enough detail to replicate", None),
    ("14", "Prespecified primary and secondary outcomes", "methods"),
    ("15", "How harms were defined and assessed", "harms"),
    ("16a", "How the sample size was determined", "open-science"),
    ("16b", "Interim analyses and stopping guidelines", None),
    ("17a", "Method used to generate the random allocation sequence", "randomisation"),
    ("17b", "Type of randomisation; details of any restriction", "randomisation"),
    ("18", "Mechanism used to implement the allocation sequence (concealment)", "concealment"),
    ("19", "Who generated the sequence, enrolled and assigned participants", "concealment"),
    ("20a", "Who was blinded after assignment", "blinding"),
    ("20b", "How blinding was achieved; similarity of interventions", "blinding"),
    ("21a", "Statistical methods used to compare groups", "methods"),
    ("21b", "Definition of who is included in each analysis", "outcomes"),
    ("21c", "How missing data were handled", None),
    ("21d", "Methods for any additional analyses", "secondary"),
    ("22a", "Participant flow diagram", "flow"),
    ("22b", "Losses and exclusions after randomisation, with reasons", "flow"),
    ("23a", "Dates defining recruitment and follow-up", "dates"),
    ("23b", "Why the trial ended or was stopped", None),
    ("24a", "Intervention and comparator as actually delivered", "compliance"),
    ("24b", "Concomitant care received", None),
    ("25", "Baseline characteristics for each group", "baseline"),
    ("26", "Number of participants analysed in each group", "flow"),
    ("27a", "Each outcome: results per group, estimated effect and its precision", "outcomes"),
    ("27b", "Binary outcomes: both absolute and relative effect sizes", "outcomes"),
    ("28", "Other analyses performed", "secondary"),
    ("29", "All important harms or unintended effects in each group", "harms"),
    ("30", "Interpretation, limitations, generalisability", None),
)
# Anchors only an unblinded report has (the secondary analyses and compliance).
UNBLINDED_ONLY = {"secondary", "compliance"}


def _date(iso: str | None) -> str:
    if not iso:
        return NOT_RECORDED
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def compliance_text(results: dict[str, Any], code: str) -> str:
    """Return the one compliance figure: attended both workshops, n/N allocated (%)."""
    c = results.get("consort_2025", {}).get("compliance", {}).get(code)
    if not c or c["both"] is None:
        return NOT_RECORDED
    return f"{c['both']:,}/{c['allocated']:,} ({f.num(c['percent'])}%)"


def analysed_compliance_text(results: dict[str, Any], code: str) -> str:
    """Return the same definition over those analysed (the CACE's input), as n/N (%)."""
    c = results["compliance"].get(code)
    if not c or c["proportion_completed"] is None:
        return NOT_RECORDED
    return f"{c['attended_2']:,}/{c['n']:,} ({f.pct(c['proportion_completed'])})"


def _plan_rows(plan: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return the plan's open-science facts, each 'not recorded' where the plan lacks it."""
    plan = plan or {}
    return [(label, str(plan.get(key) or NOT_RECORDED)) for key, label in PLAN_FIELDS]


def _concealment(scheme: dict[str, Any], labels: dict[str, str]) -> dict[str, str]:
    """Return the allocation concealment and implementation statements from the design."""
    ratio = ":".join(str(r) for r in scheme["ratios"].values())
    strata = "; ".join(scheme["strata_factors"]) or "no strata"
    if scheme["block_sizes"]:
        blocks = ", ".join(str(b) for b in scheme["block_sizes"])
        sequence = (
            f"The application generated the allocation sequence ({ratio}, permuted blocks of "
            f"random size {blocks}, stratified by {strata}) and kept it concealed: no officer, "
            "counsellor or researcher can see a future allocation, and each assignment is "
            "written to a hash-chained allocation log."
        )
    else:
        sequence = (
            "The allocations were made by the source trial and imported; the method of "
            "generating and concealing the sequence is as recorded by the source trial, not "
            "known to this application."
        )
    return {
        "concealment": sequence,
        "implementation": "Case officers screened and enrolled participants after the "
        "victim's consent; the application assigned the arm at enrolment, in the same step, "
        "so the arm was revealed only once the man was irrevocably in the trial.",
    }


def _blinding(blinded: bool) -> list[str]:
    return [
        "Participants and case officers were not blinded: the intervention cannot be hidden "
        "from them.",
        "Outcomes were taken from police records by matching, not judged by an assessor.",
        "Analysts and the data monitoring committee see interim reports blinded (arms by "
        "letter); unblinded reports need the role and a recorded justification.",
        f"This report is {'blinded' if blinded else 'unblinded'}.",
    ]


def consort_2025_context(
    *,
    results: dict[str, Any],
    labels: dict[str, str],
    blinded: bool,
    plan: dict[str, Any] | None,
    baseline: Callable[..., list[dict[str, Any]]],
) -> dict[str, Any]:
    """Return the template context of the CONSORT 2025 statements and checklist."""
    extra = results.get("consort_2025") or {}
    codes = list(results["arms"])
    dates = extra.get("dates") or {}
    harms = extra.get("safety_events") or {}
    response = extra.get("feedback_response")
    at_risk = extra.get("numbers_at_risk")
    everyone = extra.get("baseline_randomised")
    present = {anchor for _, _, anchor in ITEMS if anchor} - (UNBLINDED_ONLY if blinded else set())
    return {
        "dates": [
            ("First randomisation", _date(dates.get("first_randomised"))),
            ("Last randomisation", _date(dates.get("last_randomised"))),
            ("End of follow-up of those analysed", _date(dates.get("follow_up_ended"))),
            ("Data cut", _date(dates.get("data_cut"))),
        ],
        "dates_of": dates.get("dates_of", NOT_RECORDED),
        **_concealment(results["meta"]["randomisation"], labels),
        "blinding": _blinding(blinded),
        "harms": [
            (labels[c], NOT_RECORDED if harms.get(c) is None else f"{harms[c]:,}") for c in codes
        ],
        "compliance": [
            (labels[c], compliance_text(results, c))
            for c in codes
            if c in extra.get("compliance", {})
        ],
        "feedback_response": NOT_RECORDED
        if not response
        else f"{response['answered']:,}/{response['asked']:,} ({f.num(response['percent'])}%)",
        "plan_rows": _plan_rows(plan),
        "baseline_randomised": None
        if everyone is None
        else baseline(baseline=everyone, codes=codes),
        "baseline_randomised_n": extra.get("baseline_randomised_n"),
        "baseline_analysed_n": results["meta"]["participants"],
        "at_risk": at_risk,
        "checklist": [
            {"item": item, "text": text, "anchor": anchor if anchor in present else None}
            for item, text, anchor in ITEMS
        ],
    }


def km_at_risk(
    results: dict[str, Any], labels: dict[str, str]
) -> tuple[list[int], list[tuple[str, list[int]]]] | None:
    """Return the numbers-at-risk rows for the Kaplan-Meier chart, or None if not computed."""
    at_risk = (results.get("consort_2025") or {}).get("numbers_at_risk")
    if not at_risk:
        return None
    return at_risk["days"], [(labels[c], at_risk["arms"][c]) for c in results["arms"]]
