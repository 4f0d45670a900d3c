"""Frequency of re-offending: offences per participant and a Poisson rate ratio."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm

from reports.analysis.effects import Z95

MODEL = (
    "Poisson GLM, log link, offset log(follow-up days), robust (HC0 sandwich) standard errors: "
    "re-offence counts are over-dispersed and the robust errors keep the interval honest"
)


def frequency_comparison(
    *,
    offences_i: npt.NDArray[np.int64],
    days_i: npt.NDArray[np.int64],
    offences_c: npt.NDArray[np.int64],
    days_c: npt.NDArray[np.int64],
) -> dict[str, Any]:
    """Return the rate ratio (intervention vs control) of offences per day of follow-up."""
    total_i, total_c = int(offences_i.sum()), int(offences_c.sum())
    result: dict[str, Any] = {
        "rate_ratio": None,
        "rate_ratio_ci95": [None, None],
        "p_value": None,
        "dispersion": None,
        "model": MODEL,
        "notes": [],
    }
    if total_i == 0 or total_c == 0:
        # A zero count puts the log rate ratio at minus or plus infinity: no finite estimate.
        if total_c:
            result["rate_ratio"] = 0.0
        return result
    y = np.concatenate([offences_i, offences_c]).astype(float)
    arm = np.concatenate([np.ones(offences_i.size), np.zeros(offences_c.size)])
    exog = np.column_stack([np.ones_like(arm), arm])
    offset = np.log(np.concatenate([days_i, days_c]).astype(float))
    # statsmodels warns when every man has the same count (a perfect fit); the warning belongs
    # in the report's notes, not on stderr.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.GLM(y, exog, family=sm.families.Poisson(), offset=offset).fit(cov_type="HC0")
    result["notes"] = sorted({str(w.message).splitlines()[0] for w in caught})
    beta = float(fit.params[1])
    se = float(fit.bse[1])
    result.update(
        rate_ratio=math.exp(beta),
        rate_ratio_ci95=[math.exp(beta - Z95 * se), math.exp(beta + Z95 * se)],
        p_value=float(fit.pvalues[1]),
        # Pearson chi-square / df: well above 1 says a plain Poisson interval would be too narrow.
        dispersion=float(fit.pearson_chi2 / fit.df_resid) if fit.df_resid > 0 else None,
    )
    return result


def frequency_summary(
    *, offences: npt.NDArray[np.int64], days: npt.NDArray[np.int64]
) -> dict[str, Any]:
    """Return an arm's offence total, mean per participant, per re-offender and per year."""
    n = int(offences.size)
    reoffenders = int((offences > 0).sum())
    total = int(offences.sum())
    return {
        "offences_total": total,
        "offences_mean": total / n if n else None,
        "offences_per_reoffender": total / reoffenders if reoffenders else None,
        "offences_per_year": total / float(days.sum()) * 365.25 if n else None,
    }
