"""Estimates that respect the randomisation strata: Mantel-Haenszel RR, log-rank and Cox."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceError
from statsmodels.duration.survfunc import survdiff

from reports.analysis.effects import Z95


def mantel_haenszel_rr(*, tables: list[tuple[int, int, int, int]]) -> dict[str, Any]:
    """Return the MH risk ratio over strata (a of n1 vs c of n2) with the Greenland-Robins CI."""
    kept = [(a, n1, c, n2) for a, n1, c, n2 in tables if n1 > 0 and n2 > 0]
    dropped = len(tables) - len(kept)
    out: dict[str, Any] = {
        "risk_ratio": None,
        "ci95": [None, None],
        "strata_used": len(kept),
        "strata_dropped": dropped,
        "method": "Mantel-Haenszel risk ratio, Greenland-Robins variance of its log",
        "reason": None,
    }
    if dropped:
        out["reason"] = f"{dropped} stratum(s) without both arms left out"
    r = sum(a * n2 / (n1 + n2) for a, n1, c, n2 in kept)
    s = sum(c * n1 / (n1 + n2) for a, n1, c, n2 in kept)
    if s == 0:
        out["reason"] = "no re-offence in the reference arm: the ratio is not defined"
        return out
    out["risk_ratio"] = r / s
    if r == 0:
        out["reason"] = "no re-offence in the compared arm: the log-scale interval is not defined"
        return out
    numerator = sum(
        (n1 * n2 * (a + c) - a * c * (n1 + n2)) / (n1 + n2) ** 2 for a, n1, c, n2 in kept
    )
    se = math.sqrt(numerator / (r * s))
    log_rr = math.log(r / s)
    out["ci95"] = [math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se)]
    return out


def stratified_logrank_p(*, time: Any, observed: Any, treated: Any, strata: Any) -> dict[str, Any]:
    """Return the log-rank p-value stratified by the randomisation strata."""
    if not np.any(observed):
        return {"p_value": None, "reason": "no re-offence in either arm"}
    try:
        chisq, p = survdiff(
            np.asarray(time, float),
            np.asarray(observed, int),
            np.asarray(treated, int),
            strata=np.asarray(strata),
        )
    except np.linalg.LinAlgError:
        return {"p_value": None, "reason": "the arms' event times carry no variance to test"}
    return {"p_value": float(p), "chi_square": float(chisq), "reason": None}


def cox_hazard_ratio(*, time: Any, observed: Any, treated: Any, strata: Any) -> dict[str, Any]:
    """Return the Cox hazard ratio (intervention vs control) stratified by stratum, with 95% CI."""
    out: dict[str, Any] = {
        "hazard_ratio": None,
        "ci95": [None, None],
        "p_value": None,
        "method": "Cox proportional hazards, baseline hazard per stratum, Efron ties",
        "reason": None,
        "warnings": [],
    }
    observed = np.asarray(observed, bool)
    treated = np.asarray(treated, bool)
    if not observed[treated].any() or not observed[~treated].any():
        out["reason"] = "an arm has no re-offence: the hazard ratio is not finite"
        return out
    frame = pd.DataFrame(
        {
            "time": np.asarray(time, float),
            "event": observed.astype(int),
            "treated": treated.astype(int),
            "stratum": np.asarray(strata),
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitter = CoxPHFitter().fit(
                frame, duration_col="time", event_col="event", strata=["stratum"]
            )
        except (ConvergenceError, np.linalg.LinAlgError):
            fitter = None
    out["warnings"] = sorted({str(w.message).splitlines()[0] for w in caught})
    if fitter is None:
        out["reason"] = "the Cox model did not converge on these times"
        return out
    beta = float(fitter.params_["treated"])
    se = float(fitter.standard_errors_["treated"])
    if not (math.isfinite(beta) and math.isfinite(se)) or abs(beta) + Z95 * se > 700:
        # No stratum with both arms, or an arm whose events all come first: the fit runs off to
        # infinity rather than failing, and its "estimate" is no hazard ratio.
        out["reason"] = "the hazard ratio is not estimable on these data (no stratum compares arms)"
        return out
    out.update(
        hazard_ratio=math.exp(beta),
        ci95=[math.exp(beta - Z95 * se), math.exp(beta + Z95 * se)],
        p_value=float(fitter.summary.loc["treated", "p"]),
    )
    return out
