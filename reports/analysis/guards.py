"""Guards on small comparisons: below the plan's minimum per arm no estimate is reported."""

from __future__ import annotations

from typing import Any

from reports.analysis.estimates import suppression_reason

# Estimates blanked in a suppressed comparison; the counts and means per arm stay (they describe,
# they do not compare).
BINARY_ESTIMATES = (
    "risk_ratio",
    "relative_reduction",
    "risk_difference",
    "p_value",
)
BINARY_INTERVALS = ("risk_ratio_ci95", "relative_reduction_ci95", "risk_difference_ci95")
HARM_ESTIMATES = (
    "mean_difference",
    "relative_reduction",
    "per_reoffender_relative_reduction",
    "p_value",
)


def guard_small_arms(
    block: dict[str, Any],
    *,
    n_treated: int,
    n_control: int,
    minimum: int,
    names: tuple[str, str],
) -> dict[str, Any]:
    """Return the comparison with its estimates blanked and a reason when an arm is too small."""
    reason = suppression_reason(
        n_treated=n_treated, n_control=n_control, minimum=minimum, names=names
    )
    if reason is None:
        return block
    for key in ("prevalence", "prevalence_same_partner", "prevalence_domestic"):
        block[key].update(dict.fromkeys(BINARY_ESTIMATES), suppressed=reason)
        block[key].update({name: [None, None] for name in BINARY_INTERVALS})
    block["harm"].update(
        dict.fromkeys(HARM_ESTIMATES), mean_difference_ci95=[None, None], suppressed=reason
    )
    block["frequency"].update(
        rate_ratio=None, rate_ratio_ci95=[None, None], p_value=None, suppressed=reason
    )
    block["survival"].update(logrank_p_value=None, suppressed=reason)
    block.update(per_protocol=None, cace=None, suppressed=reason)
    return block
