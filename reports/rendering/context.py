"""Turns a results dict into the template's context: every figure formatted, nothing computed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from reports.rendering import formatting as f
from reports.rendering.charts import km_svg, recruitment_svg
from reports.rendering.checklist import (
    analysed_compliance_text,
    compliance_text,
    consort_2025_context,
    km_at_risk,
)
from reports.rendering.consort_svg import consort_svg
from reports.rendering.estimates import estimates_context
from reports.rendering.monitoring import monitoring_context
from reports.rendering.sensitivity import sensitivity_rows

REPORT_TYPES = {"interim": "Interim report", "final": "Final report"}
BINARY_LABELS = (
    ("prevalence", "Any re-offence"),
    ("prevalence_same_partner", "Re-offence against the same partner"),
    ("prevalence_domestic", "Domestic re-offence"),
)
VARIABLE_LABELS = {"offence_type": "Offence type", "dash_risk": "DASH risk", "stratum": "Stratum"}


def _comparison_tables(
    *, block: dict[str, Any], results: dict[str, Any], labels: dict[str, str]
) -> dict[str, Any]:
    """Return the formatted outcome tables of one intervention-vs-control comparison."""
    arm_i, arm_c = block["intervention"], block["control"]
    a_i, a_c = results["arms"][arm_i], results["arms"][arm_c]
    prevalence = []
    for key, label in BINARY_LABELS:
        b = block[key]
        prevalence.append(
            {
                "label": label,
                "intervention": f.n_of(b["intervention"]["events"], b["intervention"]["n"]),
                "control": f.n_of(b["control"]["events"], b["control"]["n"]),
                "rr": f"{f.num(b['risk_ratio'], 2)} ({f.ci(b['risk_ratio_ci95'])})",
                "rd": f"{f.num(_points(b['risk_difference']), 1)} "
                f"({f.ci(b['risk_difference_ci95'], 1, 100)})",
                "reduction": f.pct(b["relative_reduction"]),
                "p": f.p_value(b["p_value"]),
            }
        )
    harm, freq = block["harm"], block["frequency"]
    surv_i = results["survival"]["arms"][arm_i]
    surv_c = results["survival"]["arms"][arm_c]
    return {
        "intervention": labels[arm_i],
        "control": labels[arm_c],
        "prevalence": prevalence,
        "harm_rows": [
            ("Total CCHI days", f.num(a_i["harm_total"]), f.num(a_c["harm_total"])),
            ("Mean per participant", f.num(a_i["harm_mean"]), f.num(a_c["harm_mean"])),
            ("SD per participant", f.num(a_i["harm_sd"]), f.num(a_c["harm_sd"])),
            (
                "Mean per re-offender",
                f.num(a_i["harm_per_reoffender"]),
                f.num(a_c["harm_per_reoffender"]),
            ),
        ],
        "harm_effect": {
            "difference": f.num(harm["mean_difference"], 2),
            "ci": f.ci(harm["mean_difference_ci95"]),
            "reduction": f.pct(harm["relative_reduction"]),
            "p": f.p_value(harm["p_value"]),
        },
        "frequency_rows": [
            ("Offences", f.count(a_i["offences_total"]), f.count(a_c["offences_total"])),
            ("Per participant", f.num(a_i["offences_mean"], 2), f.num(a_c["offences_mean"], 2)),
            (
                "Per re-offender",
                f.num(a_i["offences_per_reoffender"], 2),
                f.num(a_c["offences_per_reoffender"], 2),
            ),
        ],
        "frequency_effect": {
            "rr": f.num(freq["rate_ratio"], 2),
            "ci": f.ci(freq["rate_ratio_ci95"]),
            "p": f.p_value(freq["p_value"]),
        },
        "survival_rows": [
            ("Re-offended (events)", f.count(surv_i["events"]), f.count(surv_c["events"])),
            (
                "Not re-offended at end of window",
                f.pct(surv_i.get("survival_at_end")),
                f.pct(surv_c.get("survival_at_end")),
            ),
            ("Median days to first re-offence", _median(surv_i), _median(surv_c)),
        ],
        "logrank_p": f.p_value(block["survival"]["logrank_p_value"]),
    }


def _points(value: float | None) -> float | None:
    """Return a risk difference in percentage points."""
    return None if value is None else 100 * value


def _median(arm: dict[str, Any]) -> str:
    """Return the median time or say it was not reached (fewer than half re-offended)."""
    return "not reached" if arm.get("median_days") is None else f.num(arm["median_days"], 0)


def _baseline(*, baseline: dict[str, Any], codes: list[str]) -> list[dict[str, Any]]:
    """Return the baseline table as groups of rows, one group per characteristic."""
    age_cells = []
    for code in codes:
        a = baseline["age"][code]
        cell = f"{f.num(a['mean'])} ({f.num(a['sd'])})"
        age_cells.append(cell + (f", {a['missing']} missing" if a["missing"] else ""))
    groups = [{"label": "Age, mean (SD)", "rows": [{"label": "Years", "cells": age_cells}]}]
    for key, label in VARIABLE_LABELS.items():
        rows = [
            {
                "label": level,
                "cells": [f"{arms[c]['n']:,} ({f.num(arms[c]['percent'])}%)" for c in codes],
            }
            for level, arms in baseline[key].items()
        ]
        groups.append({"label": f"{label}, n (%)", "rows": rows})
    return groups


def _secondary(results: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Return compliance, per-protocol and CACE tables (unblinded reports only)."""
    compliance = [
        {
            "arm": labels[code],
            "n": f.count(c["n"]),
            "attended": [f.count(c[f"attended_{k}"]) for k in (0, 1, 2)],
            "not_recorded": f.count(c["not_recorded"]),
            "completed": compliance_text(results, code),
        }
        for code, c in results["compliance"].items()
    ]
    per_protocol, cace = [], []
    for block in results["comparisons"].values():
        name = f"{labels[block['intervention']]} vs {labels[block['control']]}"
        pp, ca = block["per_protocol"], block["cace"]
        if pp is not None:
            prev = pp["prevalence"]
            per_protocol.append(
                {
                    "comparison": name,
                    "n": f"{pp['n_intervention']:,} vs {pp['n_control']:,}",
                    "rr": f"{f.num(prev['risk_ratio'], 2)} ({f.ci(prev['risk_ratio_ci95'])})",
                    "p": f.p_value(prev["p_value"]),
                    "harm": "not estimable"
                    if pp["harm"] is None
                    else f"{f.num(pp['harm']['mean_difference'], 2)} "
                    f"({f.ci(pp['harm']['mean_difference_ci95'])})",
                }
            )
        if ca is not None and "risk_difference" in ca:
            cace.append(
                {
                    "comparison": name,
                    "compliance": analysed_compliance_text(results, block["intervention"]),
                    "rd": f"{f.num(_points(ca['risk_difference']), 1)} "
                    f"({f.ci(ca['risk_difference_ci95'], 1, 100)})",
                    "harm": f"{f.num(ca['harm_mean_difference'], 2)} "
                    f"({f.ci(ca['harm_mean_difference_ci95'])})",
                }
            )
    return {"compliance": compliance, "per_protocol": per_protocol, "cace": cace}


def report_context(
    *,
    results: dict[str, Any],
    report_type: str,
    generated_at: datetime,
    generated_by: str,
    software_version: str,
    dataset_sha256: str,
    blinded: bool,
) -> dict[str, Any]:
    """Return the template context of the report for already computed results."""
    meta = results["meta"]
    codes = list(results["arms"])
    labels = {code: arm["name"] for code, arm in results["arms"].items()}
    primary = results["comparisons"][meta["primary_comparison"]]
    p_block, h_block = primary["prevalence"], primary["harm"]
    window_days = max(
        (max(c["curve"]["days"]) for c in results["survival"]["arms"].values()), default=365
    )
    scheme = meta["randomisation"]
    return {
        "blinded": blinded,
        "title": meta["trial_title"],
        "code": meta["trial_code"],
        "report_type": REPORT_TYPES[report_type],
        "window": f"{meta['window_months']} months after randomisation",
        "data_cut": _date(meta["data_cut"]),
        "generated_at": timezone.localtime(generated_at).strftime("%d/%m/%Y %H:%M %Z"),
        "generated_by": generated_by,
        "software_version": software_version,
        "dataset_sha256": dataset_sha256,
        "participants": _participants(results, labels),
        "arm_labels": [labels[c] for c in codes],
        "headline": {
            "intervention": labels[primary["intervention"]],
            "control": labels[primary["control"]],
            "harm_i": f.num(h_block["intervention_mean"]),
            "harm_c": f.num(h_block["control_mean"]),
            "harm_reduction": f.difference(h_block["relative_reduction"])
            if report_type == "interim"
            else f.change(h_block["relative_reduction"], less="less harm", more="more harm"),
            "harm_ci": f.ci(h_block["mean_difference_ci95"]),
            "harm_p": f.p_value(h_block["p_value"]),
            "prev_i": f.pct(p_block["intervention"]["proportion"]),
            "prev_c": f.pct(p_block["control"]["proportion"]),
            "prev_reduction": f.difference(p_block["relative_reduction"])
            if report_type == "interim"
            else f.change(p_block["relative_reduction"], less="fewer", more="more"),
            "rr": f.num(p_block["risk_ratio"], 2),
            "rr_ci": f.ci(p_block["risk_ratio_ci95"]),
            "prev_p": f.p_value(p_block["p_value"]),
        },
        "consort_svg": consort_svg(
            consort=results["consort"], arms=[(c, labels[c]) for c in codes], blinded=blinded
        ),
        "recruitment_svg": recruitment_svg(
            months=results["recruitment"]["months"],
            arms=[(labels[c], results["recruitment"]["arms"][c]) for c in codes],
        ),
        "km_svg": km_svg(
            curves=[
                (labels[c], results["survival"]["arms"][c]["curve"])
                for c in codes
                if results["survival"]["arms"][c]["curve"]
            ],
            window_days=int(window_days),
            at_risk=km_at_risk(results, labels),
        ),
        "baseline": _baseline(baseline=results["baseline"], codes=codes),
        "comparisons": [
            _comparison_tables(block=block, results=results, labels=labels)
            for block in results["comparisons"].values()
        ],
        "secondary": None if blinded else _secondary(results, labels),
        "feedback": None if blinded or results["feedback"] is None else results["feedback"],
        "methods": {
            "ratio": ":".join(str(r) for r in scheme["ratios"].values())
            + " ("
            + " : ".join(labels.get(k, k) for k in scheme["ratios"])
            + ")",
            "blocks": ", ".join(str(b) for b in scheme["block_sizes"]) or "not recorded",
            "strata": "; ".join(
                f"{name} ({', '.join(values)})" for name, values in scheme["strata_factors"].items()
            )
            or "none",
            "tests": meta["methods"],
            "cchi_version": meta["cchi_version"],
            "bootstrap": meta["bootstrap"],
            "method": scheme.get("method"),
        },
        "sensitivity": None if blinded else sensitivity_rows(results),
        "plan": meta.get("plan"),  # the analysis plan in force at the cut; None: not recorded
        "consort_2025": consort_2025_context(
            results=results,
            labels=labels,
            blinded=blinded,
            plan=meta.get("plan"),
            baseline=_baseline,
        ),
        "estimates": estimates_context(results),
        "monitoring": monitoring_context(results.get("monitoring")),
        "primary_outcome": _primary_outcome(meta.get("plan")),
    }


def _primary_outcome(plan: dict[str, Any] | None) -> str:
    """Name the one primary outcome: the plan's, else harm by default (and say so)."""
    if plan is None:
        return "harm (CCHI days per man), by default: no analysis plan was declared"
    return f"{plan['primary_label'].lower()}, as analysis plan {plan['plan_version']} declares"


def _participants(results: dict[str, Any], labels: dict[str, str]) -> str:
    """Return the cover's participants line: randomised by the cut, then analysed per arm."""
    consort, meta = results["consort"], results["meta"]
    sizes = ", ".join(f"{labels[c]} {a['n']:,}" for c, a in results["arms"].items())
    return (
        f"{consort['randomised']:,} randomised by the cut; {meta['participants']:,} with the "
        f"{meta['window_months']}-month window closed and analysed ({sizes})"
    )


def _date(iso: str) -> str:
    """Return an ISO date as the house's dd/mm/yyyy."""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
