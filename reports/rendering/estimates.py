"""Formats the results' `estimates` block for the PDF: every figure a string, nothing computed."""

from __future__ import annotations

from typing import Any

from reports.rendering import formatting as f


def _with_ci(value: float | None, bounds: list[float | None], dp: int = 2) -> str:
    """Return "value (95% CI lo to hi)", or the interval alone when the point is not estimable."""
    if value is None:
        return (
            f.NOT_ESTIMABLE
            if bounds[0] is None
            else f"{f.NOT_ESTIMABLE} (95% CI {f.ci(bounds, dp)})"
        )
    return f"{f.num(value, dp)} (95% CI {f.ci(bounds, dp)})"


def _percent_ci(reduction: float | None, bounds: list[float | None]) -> str:
    """Return a relative reduction and its CI in percent."""
    if reduction is None:
        return f.NOT_ESTIMABLE
    return f"{f.pct(reduction)} (95% CI {f.ci(bounds, 1, 100)}%)"


def estimates_context(results: dict[str, Any]) -> dict[str, Any] | None:
    """Return the rows of the estimates table, the suppression reason, or None when absent."""
    block = results.get("estimates")
    if block is None:
        return None
    if block.get("suppressed"):
        return {"suppressed": block["suppressed"], "headline": None, "rows": [], "notes": []}
    ri, rel = block["randomisation_inference"], block["relative_harm"]
    mh, cox = block["mantel_haenszel_rr"], block["cox"]
    nb, rd = block["negative_binomial"], block["risk_difference"]
    logrank = block["stratified_logrank"]
    rows = [
        (
            "Relative reduction in mean harm (ratio of means, delta method)",
            _percent_ci(rel["relative_reduction"], rel["relative_reduction_ci95"]),
        ),
        ("Ratio of mean harm", _with_ci(rel["ratio"], rel["ratio_ci95"])),
        (
            "Difference in mean harm, randomisation-inference 95% CI (test inversion)",
            _with_ci(ri["estimate"], ri["ci95"]),
        ),
        (
            "p (randomisation inference, two-sided)",
            f"{f.p_value(ri['p_value'])} (Monte Carlo SE {ri['p_value_mc_se']:.4f}; "
            f"{ri['draws']:,} draws, seed {ri['seed']})",
        ),
        ("Re-randomisation scheme", ri["scheme"]),
        (
            "Risk ratio, Mantel-Haenszel over strata",
            _with_ci(mh["risk_ratio"], mh["ci95"]),
        ),
        ("p (log-rank stratified by stratum)", f.p_value(logrank["p_value"])),
        ("Hazard ratio, Cox stratified by stratum", _with_ci(cox["hazard_ratio"], cox["ci95"])),
        (
            "Rate ratio, negative binomial (sensitivity)",
            _with_ci(nb["rate_ratio"], nb["rate_ratio_ci95"]),
        ),
        ("Negative binomial dispersion (alpha)", f.num(nb["alpha"], 3)),
        ("Frequency model chosen by the plan", nb["model_choice"]),
        (
            "Risk difference, points: Newcombe score 95% CI",
            f"{f.num(None if rd['risk_difference'] is None else 100 * rd['risk_difference'], 1)}"
            f" ({f.ci(rd['newcombe_ci95'], 1, 100)}; Wald {f.ci(rd['wald_ci95'], 1, 100)})",
        ),
    ]
    headline = (
        "Relative reduction in mean harm "
        f"{_percent_ci(rel['relative_reduction'], rel['relative_reduction_ci95'])}; "
        f"randomisation-inference p {f.p_value(ri['p_value'])} ({ri['draws']:,} draws)."
    )
    return {
        "suppressed": None,
        "headline": headline,
        "rows": rows,
        "notes": [*block["notes"], *_corrections(results)],
    }


def _corrections(results: dict[str, Any]) -> list[str]:
    """Return the corrections and fit warnings the other tables' figures carry."""
    notes = []
    for key, label in (
        ("prevalence", "Any re-offence"),
        ("prevalence_same_partner", "Re-offence against the same partner"),
        ("prevalence_domestic", "Domestic re-offence"),
    ):
        if results[key].get("risk_ratio_note"):
            notes.append(f"{label}: {results[key]['risk_ratio_note']}")
    notes += [f"Poisson fit: {w}" for w in results["frequency"].get("notes") or []]
    cace = results["secondary"].get("cace") or {}
    if cace.get("note"):
        notes.append(f"CACE: {cace['note']}.")
    return notes
