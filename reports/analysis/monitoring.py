"""Interim monitoring: information fraction, the look's boundary, the primary z, and what it means.

The boundaries are Lan-DeMets alpha spending (reports/analysis/boundaries.py); earlier looks are
taken at their planned, equally spaced fractions and this look at its observed fraction.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from reports.analysis.boundaries import SPENDING, boundaries, spent

if TYPE_CHECKING:
    import pandas as pd

    from reports.analysis.dataset import TrialMeta

NOT_CROSSED = "The boundary was not crossed: continue the trial."
EFFICACY = "The efficacy boundary was crossed: the committee should consider stopping."
HARM = (
    "The boundary was crossed in the direction of more harm in the intervention arm: "
    "the committee should consider stopping."
)
NOT_PLANNED = (
    "No interim looks are planned for this trial (no planned sample size or looks): no "
    "stopping boundary applies, and the figures are not a basis for conclusions."
)
BLINDED = (
    "A boundary was crossed (arms blinded, so its direction is not shown): the committee "
    "should consider unblinding and stopping."
)
HEADLINE = "Interim analysis: not a basis for conclusions; {what}."
SPENDING_NAMES = {
    "obrien_fleming": "Lan-DeMets spending of O'Brien-Fleming type",
    "pocock": "Lan-DeMets spending of Pocock type",
}


def harm_z(*, intervention: npt.NDArray[np.float64], control: npt.NDArray[np.float64]) -> float:
    """Return the z of the harm reduction (control minus intervention mean, unpooled SE)."""
    if intervention.size < 2 or control.size < 2:
        return math.nan
    se = math.sqrt(
        intervention.var(ddof=1) / intervention.size + control.var(ddof=1) / control.size
    )
    if se == 0:
        return math.nan
    return float((control.mean() - intervention.mean()) / se)


def look_fractions(*, fraction: float, interim_looks: int) -> tuple[int, list[float]]:
    """Return this look's number and the fractions of the looks so far (this one last)."""
    planned = [j / (interim_looks + 1) for j in range(1, interim_looks + 1)]
    look = max(1, min(interim_looks, sum(1 for p in planned if p <= fraction + 1e-9)))
    return look, [*planned[: look - 1], fraction]


def interim_monitoring(
    *,
    analysed: int,
    z: float,
    planned_sample_size: int | None,
    interim_looks: int,
    spending: str = "obrien_fleming",
    fraction: float | None = None,
    alpha: float = 0.05,
    blinded: bool = False,
) -> dict[str, Any]:
    """Return the look's information fraction, boundary, z and the plain sentence."""
    if spending not in SPENDING:
        raise ValueError(f"Spending is one of {', '.join(SPENDING)}, not {spending!r}.")
    if fraction is None and planned_sample_size:
        fraction = analysed / planned_sample_size
    if interim_looks < 1 or fraction is None or fraction <= 0:
        return {
            "planned": False,
            "statement": NOT_PLANNED,
            "headline": HEADLINE.format(what="no stopping boundary is planned"),
            "z": None if math.isnan(z) else z,
            "analysed": analysed,
        }
    notes = []
    if fraction >= 1:
        notes.append(
            f"{analysed} analysed reach the planned {planned_sample_size}: the fraction is "
            "taken as 1 (the final look's boundary)."
        )
        fraction = 1.0
    look, fractions = look_fractions(fraction=fraction, interim_looks=interim_looks)
    bound = boundaries(fractions=fractions, spending=spending, alpha=alpha)[-1]
    if math.isnan(z):
        statement, what = (
            (
                "The z statistic cannot be computed (too few analysed or no variation in harm): "
                "the boundary cannot be judged; continue the trial."
            ),
            "the boundary could not be judged",
        )
        crossed = None
    elif blinded and abs(z) >= bound:
        statement, what, crossed = BLINDED, "a boundary was crossed", "blinded"
    elif z >= bound:
        statement, what, crossed = EFFICACY, "the efficacy boundary was crossed", "efficacy"
    elif z <= -bound:
        statement, what, crossed = HARM, "the boundary was crossed towards harm", "harm"
    else:
        statement, what, crossed = NOT_CROSSED, "the boundary was not crossed", None
    return {
        "planned": True,
        "analysed": analysed,
        "planned_sample_size": planned_sample_size,
        "information_fraction": fraction,
        "look": look,
        "looks_planned": interim_looks,
        "spending": spending,
        "spending_name": SPENDING_NAMES[spending],
        "alpha": alpha,
        "alpha_spent": spent(spending=spending, t=fraction, alpha=alpha),
        "boundary": bound,
        "z": None if math.isnan(z) else z,
        "statistic": (
            "harm: arm B minus arm A mean CCHI days over its unpooled SE (arms blinded)"
            if blinded
            else "harm: control minus intervention mean CCHI days over its unpooled SE"
        ),
        "crossed": crossed,
        "statement": statement,
        "headline": HEADLINE.format(what=what),
        "notes": notes,
    }


def interim_results(
    *, meta: TrialMeta, treated: pd.DataFrame, control: pd.DataFrame
) -> dict[str, Any] | None:
    """Return the monitoring block of an interim report's results (None for a final one)."""
    if not meta.interim:
        return None
    return interim_monitoring(
        analysed=len(treated) + len(control),
        z=harm_z(
            intervention=treated["harm"].to_numpy(float), control=control["harm"].to_numpy(float)
        ),
        planned_sample_size=meta.planned_sample_size,
        interim_looks=meta.interim_looks,
        spending=meta.spending,
        blinded=meta.blinded,
    )
