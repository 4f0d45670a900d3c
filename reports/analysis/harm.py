"""Harm (CCHI days, the CARA primary outcome): totals, means, bootstrap CI, Mann-Whitney U."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from reports.analysis.bootstrap import percentile_ci, resampled_sums


def harm_summary(harm: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Return total, mean per participant, SD, median and mean per re-offender of one arm."""
    n = int(harm.size)
    harmed = harm[harm > 0]
    return {
        "harm_total": float(harm.sum()),
        "harm_mean": float(harm.mean()) if n else None,
        "harm_sd": float(harm.std(ddof=1)) if n > 1 else None,
        "harm_median": float(np.median(harm)) if n else None,
        "harm_per_reoffender": float(harmed.mean()) if harmed.size else None,
    }


def relative_reduction(*, intervention: float | None, control: float | None) -> float | None:
    """Return 1 - intervention / control ("27% less harm"), or None when control is 0."""
    if intervention is None or not control:
        return None
    return 1 - intervention / control


def mann_whitney_p(*, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float | None:
    """Return the two-sided Mann-Whitney U p-value (normal approximation with tie correction)."""
    if x.size == 0 or y.size == 0:
        return None
    if np.all(x == x[0]) and np.all(y == x[0]):
        return 1.0  # every value tied: the test statistic carries no information
    result = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    return float(result.pvalue)


def bootstrap_mean_difference(
    *,
    intervention: npt.NDArray[np.float64],
    control: npt.NDArray[np.float64],
    reps: int,
    seed: int,
) -> list[float | None]:
    """Return the percentile bootstrap 95% CI of mean(intervention) - mean(control)."""
    rng = np.random.default_rng(seed)
    # Arms resampled separately (stratified by arm), intervention first: the order is part of
    # what makes a seed reproduce the interval.
    sums_i = resampled_sums(columns=intervention.reshape(-1, 1), reps=reps, rng=rng)[:, 0]
    sums_c = resampled_sums(columns=control.reshape(-1, 1), reps=reps, rng=rng)[:, 0]
    return percentile_ci(sums_i / intervention.size - sums_c / control.size)


def harm_comparison(
    *,
    intervention: npt.NDArray[np.float64],
    control: npt.NDArray[np.float64],
    reps: int,
    seed: int,
) -> dict[str, Any]:
    """Compare harm per participant of an intervention arm with control."""
    mean_i = float(intervention.mean()) if intervention.size else None
    mean_c = float(control.mean()) if control.size else None
    per_i = harm_summary(intervention)["harm_per_reoffender"]
    per_c = harm_summary(control)["harm_per_reoffender"]
    return {
        "intervention_mean": mean_i,
        "control_mean": mean_c,
        "mean_difference": None if mean_i is None or mean_c is None else mean_i - mean_c,
        "mean_difference_ci95": bootstrap_mean_difference(
            intervention=intervention, control=control, reps=reps, seed=seed
        ),
        "relative_reduction": relative_reduction(intervention=mean_i, control=mean_c),
        "per_reoffender_relative_reduction": relative_reduction(intervention=per_i, control=per_c),
        "p_value": mann_whitney_p(x=intervention, y=control),
        "test": "Mann-Whitney U, two-sided",
        "bootstrap": {"reps": reps, "seed": seed, "method": "percentile, resampled within arm"},
    }
