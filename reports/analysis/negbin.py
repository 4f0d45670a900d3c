"""Negative binomial rate ratio for offence counts, the sensitivity beside robust Poisson."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from statsmodels.discrete.discrete_model import NegativeBinomial

from reports.analysis.effects import Z95

MODEL_CHOICE = (
    "robust Poisson is the primary frequency model; the negative binomial is a sensitivity analysis"
)


def negative_binomial_rate_ratio(
    *,
    offences: npt.NDArray[np.int64],
    treated: npt.NDArray[np.bool_],
    days: npt.NDArray[np.int64],
) -> dict[str, Any]:
    """Return the NB2 rate ratio (offset log follow-up days), its 95% CI and dispersion alpha."""
    out: dict[str, Any] = {
        "rate_ratio": None,
        "rate_ratio_ci95": [None, None],
        "p_value": None,
        "alpha": None,
        "model": "negative binomial (NB2), log link, offset log(follow-up days)",
        "model_choice": MODEL_CHOICE,
        "reason": None,
        "warnings": [],
    }
    if not offences[treated].any() or not offences[~treated].any():
        out["reason"] = "an arm has no offence: the rate ratio is not finite"
        return out
    if offences.var() <= offences.mean():
        # Alpha would sit on its bound of 0, where the fit cannot invert its Hessian: the
        # negative binomial is then the Poisson model, whose robust figures the report shows.
        out["reason"] = "the counts are no more spread than Poisson: no dispersion to fit"
        out["alpha"] = 0.0
        return out
    exog = np.column_stack([np.ones(treated.size), treated.astype(float)])
    offset = np.log(days.astype(float))
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        # BFGS copes with alpha near its boundary of 0 (no over-dispersion), where Newton fails.
        fit = NegativeBinomial(offences.astype(float), exog, offset=offset).fit(
            method="bfgs", disp=0, maxiter=500
        )
    out["warnings"] = sorted({str(w.message).splitlines()[0] for w in caught})
    beta, se = float(fit.params[1]), float(fit.bse[1])
    if not (math.isfinite(beta) and math.isfinite(se)):
        out["reason"] = "the negative binomial fit did not converge"
        return out
    out.update(
        rate_ratio=math.exp(beta),
        rate_ratio_ci95=[math.exp(beta - Z95 * se), math.exp(beta + Z95 * se)],
        p_value=float(fit.pvalues[1]),
        alpha=float(fit.params[2]),
    )
    return out
