"""The report's sensitivity table: each analysis beside the primary harm and prevalence figures."""

from __future__ import annotations

from typing import Any

from reports.rendering import formatting as f


def _row(label: str, block: dict[str, Any] | None, *, note: str = "") -> dict[str, str]:
    """Return one table row: n, harm difference (CI), relative change, risk ratio (CI)."""
    block = block or {}
    row = {"label": label, "n": "", "harm": "", "reduction": "", "rr": "", "note": note}
    if n := block.get("n"):
        row["n"] = f"{n['intervention']:,} vs {n['control']:,}"
    if harm := block.get("harm"):
        difference, bounds = harm["mean_difference"], harm["mean_difference_ci95"]
        row["harm"] = f"{f.num(difference, 2)} ({f.ci(bounds)})"
        row["reduction"] = f.change(harm["relative_reduction"], less="less harm", more="more harm")
    if prevalence := block.get("prevalence"):
        ratio, bounds = prevalence["risk_ratio"], prevalence["risk_ratio_ci95"]
        row["rr"] = f"{f.num(ratio, 2)} ({f.ci(bounds)})"
    return row


def sensitivity_rows(results: dict[str, Any]) -> dict[str, Any] | None:
    """Return the sensitivity table's rows and notes, or None when the results carry none."""
    sens = results.get("sensitivity")
    if not sens:
        return None
    rows = []
    bounds = sens["unscorable_bounds"]
    waiting = bounds["participants"]
    if "min" in bounds:
        who = f"{waiting['intervention']} vs {waiting['control']} not yet scorable"
        rows.append(
            _row("Unscorable outcomes at the catalogue's least harm", bounds["min"], note=who)
        )
        rows.append(
            _row("Unscorable outcomes at the catalogue's greatest harm", bounds["max"], note=who)
        )
    charge = sens["charge_only"]
    if "not_done" in charge:
        rows.append(_row("Charge-only outcomes", None, note=charge["not_done"]))
    else:
        rows.append(
            _row(
                "Charge-only outcomes",
                charge,
                note="Charged, cautioned or convicted re-offences only.",
            )
        )
    w = sens["winsorised"]
    rows.append(
        _row(
            f"Harm winsorised at the {w['percentile']:.0f}th percentile",
            w,
            note=f"{w['capped']:,} value(s) capped at {f.num(w['cap'], 1)} days.",
        )
    )
    return {
        "rows": rows,
        "statement": bounds.get("statement"),
        "method": sens["method"],
    }
