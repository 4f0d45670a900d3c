"""The `estimates` block: randomisation inference and stratified figures of the primary arm."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reports.analysis.dataset import TrialMeta
from reports.analysis.effects import risk_difference_ci
from reports.analysis.inference import (
    fits_block_scheme,
    randomisation_inference,
    two_arm_blocks,
)
from reports.analysis.intervals import newcombe_ci, ratio_of_means
from reports.analysis.negbin import negative_binomial_rate_ratio
from reports.analysis.stratified import (
    cox_hazard_ratio,
    mantel_haenszel_rr,
    stratified_logrank_p,
)
from reports.analysis.survival import durations


def suppression_reason(
    *, n_treated: int, n_control: int, minimum: int, names: tuple[str, str]
) -> str | None:
    """Return why estimates are not shown when an arm has fewer analysed men than the plan asks."""
    if min(n_treated, n_control) >= minimum:
        return None
    return (
        f"Estimates are not shown: {n_treated} analysed in {names[0]} and {n_control} in "
        f"{names[1]}, below the minimum of {minimum} per arm set for this trial."
    )


def _randomisation_order(frame: pd.DataFrame) -> np.ndarray:
    """Rank participants by date of randomisation, then trial ID (the order blocks filled)."""
    ranked = frame.reset_index(drop=True).sort_values(["randomised_on", "trial_id"], kind="stable")
    order = np.empty(len(frame), dtype=np.int64)
    order[ranked.index.to_numpy()] = np.arange(len(frame))
    return order


def primary_estimates(
    *,
    treated: pd.DataFrame,
    control: pd.DataFrame,
    meta: TrialMeta,
    draws: int,
    seed: int,
) -> dict[str, Any]:
    """Return the randomisation inference, relative harm, MH RR, Cox HR, NB and Newcombe CI."""
    arm_i, arm_c = str(treated["arm"].iloc[0]), str(control["arm"].iloc[0])
    names = {arm.code: arm.name for arm in meta.arms}
    reason = suppression_reason(
        n_treated=len(treated),
        n_control=len(control),
        minimum=meta.min_per_arm,
        names=(names[arm_i], names[arm_c]),
    )
    if reason:
        return {"suppressed": reason, "notes": [reason]}
    notes: list[str] = []
    both = pd.concat([treated, control], ignore_index=True)
    is_treated = np.arange(len(both)) < len(treated)
    strata = both["stratum"].astype(str).to_numpy()
    harm = both["harm"].to_numpy(float)
    blocks = two_arm_blocks(
        block_sizes=list(meta.randomisation.block_sizes),
        ratios=dict(meta.randomisation.ratios),
        treated_arm=arm_i,
        control_arm=arm_c,
    )
    if blocks is None:
        notes.append(
            "Randomisation inference permuted arm labels within strata: the block sizes are not "
            "known (or not whole for these arms)."
        )
    order = _randomisation_order(both)
    if blocks is not None and not fits_block_scheme(
        treated=is_treated, strata=strata, order=order, blocks=blocks
    ):
        notes.append(
            "The recorded allocations are not a sequence the stated permuted blocks could make "
            "(the order of randomisation drifts too far from the ratio in a stratum): the "
            "randomisation-inference p assumes the stated scheme and should be read with care."
        )
    ri = randomisation_inference(
        y=harm,
        treated=is_treated,
        strata=strata,
        order=order,
        blocks=blocks,
        draws=draws,
        seed=seed,
    )
    if ri["ci95"][0] is None:
        notes.append("The randomisation-inference interval has no finite edge in range.")
    relative = ratio_of_means(
        intervention=treated["harm"].to_numpy(float), control=control["harm"].to_numpy(float)
    )
    if relative["reason"]:
        notes.append(f"Relative harm reduction: {relative['reason']}.")
    tables = []
    for stratum in sorted(set(strata.tolist())):
        rows_i = treated[treated["stratum"].astype(str) == stratum]
        rows_c = control[control["stratum"].astype(str) == stratum]
        tables.append(
            (
                int(rows_i["reoffended"].sum()),
                len(rows_i),
                int(rows_c["reoffended"].sum()),
                len(rows_c),
            )
        )
    mh = mantel_haenszel_rr(tables=tables)
    if mh["reason"]:
        notes.append(f"Mantel-Haenszel risk ratio: {mh['reason']}.")
    time, observed = durations(
        days_to_first=both["days_to_first"].to_numpy(float),
        follow_up_days=both["follow_up_days"].to_numpy(),
    )
    logrank = stratified_logrank_p(time=time, observed=observed, treated=is_treated, strata=strata)
    cox = cox_hazard_ratio(time=time, observed=observed, treated=is_treated, strata=strata)
    if cox["reason"]:
        notes.append(f"Cox hazard ratio: {cox['reason']}.")
    notes += [f"Cox fit: {w}" for w in cox.pop("warnings")]
    negbin = negative_binomial_rate_ratio(
        offences=both["offences"].to_numpy(np.int64),
        treated=is_treated,
        days=both["follow_up_days"].to_numpy(np.int64),
    )
    if negbin["reason"]:
        notes.append(f"Negative binomial: {negbin['reason']}.")
    notes += [f"Negative binomial fit: {w}" for w in negbin.pop("warnings")]
    a, n1 = int(treated["reoffended"].sum()), len(treated)
    c, n2 = int(control["reoffended"].sum()), len(control)
    rd = risk_difference_ci(a=a, n1=n1, c=c, n2=n2)
    return {
        "randomisation_inference": ri,
        "relative_harm": relative,
        "mantel_haenszel_rr": mh,
        "stratified_logrank": logrank,
        "cox": cox,
        "negative_binomial": negbin,
        "risk_difference": {
            "risk_difference": rd["risk_difference"],
            "wald_ci95": rd["ci95"],
            "newcombe_ci95": newcombe_ci(a=a, n1=n1, c=c, n2=n2),
        },
        "notes": notes,
    }
