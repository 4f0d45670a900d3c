"""Time to first re-offence: Kaplan-Meier per arm (lifelines) and the log-rank test."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test


def durations(
    *, days_to_first: npt.NDArray[np.float64], follow_up_days: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Return time to the first re-offence, censored at the end of follow-up, and event flags."""
    observed = ~np.isnan(days_to_first)
    time = np.where(observed, days_to_first, follow_up_days).astype(float)
    return time, observed


def kaplan_meier(
    *, time: npt.NDArray[np.float64], observed: npt.NDArray[np.bool_]
) -> dict[str, Any]:
    """Return one arm's Kaplan-Meier curve (a point per distinct day), median and end value."""
    if time.size == 0:
        return {"events": 0, "censored": 0, "median_days": None, "curve": None}
    fitter = KaplanMeierFitter().fit(time, event_observed=observed)
    surv = fitter.survival_function_.iloc[:, 0]
    ci = fitter.confidence_interval_survival_function_
    median = float(fitter.median_survival_time_)
    # The curve has one point per distinct day with an event or censoring, so it is bounded by
    # the window's length (at most ~731 points), whatever the number of participants.
    return {
        "events": int(observed.sum()),
        "censored": int((~observed).sum()),
        "median_days": median if np.isfinite(median) else None,
        "survival_at_end": float(surv.iloc[-1]),
        "curve": {
            "days": [float(t) for t in surv.index],
            "survival": [float(s) for s in surv.to_numpy()],
            "ci95_lower": [float(v) for v in ci.iloc[:, 0].to_numpy()],
            "ci95_upper": [float(v) for v in ci.iloc[:, 1].to_numpy()],
        },
    }


def logrank_p(
    *,
    time_i: npt.NDArray[np.float64],
    observed_i: npt.NDArray[np.bool_],
    time_c: npt.NDArray[np.float64],
    observed_c: npt.NDArray[np.bool_],
) -> float | None:
    """Return the log-rank p-value comparing two arms' time to first re-offence."""
    if not (observed_i.any() or observed_c.any()):
        return None  # no events anywhere: nothing to compare
    result = logrank_test(time_i, time_c, event_observed_A=observed_i, event_observed_B=observed_c)
    return float(result.p_value)
