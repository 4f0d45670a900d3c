"""Sensitivity analyses of the primary comparison: each changes one assumption and says which.

- Outcomes not yet scorable: participants whose window closed but whose snapshot waits for an
  offence code the catalogue lacks are left out of the primary analysis; here they are put back,
  scored with the unknown codes at the catalogue's least and then greatest harm (bounds).
- Charge-only: only re-offences the police charged, cautioned or convicted count (complaints
  and arrests alone left out).
- Influence of the largest harms: harm winsorised at the 99th percentile of both arms pooled.

Each gives harm per participant (means, difference with a Welch 95% CI, relative reduction) and
prevalence (risk ratio with its log-method CI), so it reads beside the primary figures.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.analysis.dataset import TrialMeta
from reports.analysis.effects import Z95, risk_ratio_ci
from reports.analysis.harm import relative_reduction

WINSOR_PERCENTILE = 99.0
METHOD = (
    "harm: difference in means with a Welch (normal) 95% CI; prevalence: risk ratio with a "
    "log-method 95% CI"
)


def _mean_difference(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> dict[str, Any]:
    """Return the means, their difference with a Welch 95% CI, and the relative reduction."""
    mean_x, mean_y = float(x.mean()), float(y.mean())
    var = (x.var(ddof=1) / x.size if x.size > 1 else math.nan) + (
        y.var(ddof=1) / y.size if y.size > 1 else math.nan
    )
    diff = mean_x - mean_y
    half = Z95 * math.sqrt(var) if math.isfinite(var) else math.nan
    return {
        "intervention_mean": mean_x,
        "control_mean": mean_y,
        "mean_difference": diff,
        "mean_difference_ci95": [diff - half, diff + half] if math.isfinite(half) else [None, None],
        "relative_reduction": relative_reduction(intervention=mean_x, control=mean_y),
    }


def _comparison(
    *,
    harm_i: npt.NDArray[np.float64],
    harm_c: npt.NDArray[np.float64],
    events_i: int,
    events_c: int,
) -> dict[str, Any]:
    rr = risk_ratio_ci(a=events_i, n1=harm_i.size, c=events_c, n2=harm_c.size)
    return {
        "n": {"intervention": int(harm_i.size), "control": int(harm_c.size)},
        "harm": _mean_difference(harm_i, harm_c),
        "prevalence": {
            "intervention": events_i / harm_i.size,
            "control": events_c / harm_c.size,
            "risk_ratio": rr["risk_ratio"],
            "risk_ratio_ci95": rr["ci95"],
            "risk_ratio_correction": rr["correction"],
        },
    }


def _unscorable_bounds(
    *, treated: pd.DataFrame, control: pd.DataFrame, meta: TrialMeta, arm_i: str, arm_c: str
) -> dict[str, Any]:
    waiting = [u for u in meta.unscorable if u.arm in (arm_i, arm_c)]
    added = {
        arm_i: sum(u.arm == arm_i for u in waiting),
        arm_c: sum(u.arm == arm_c for u in waiting),
    }
    out: dict[str, Any] = {"participants": {"intervention": added[arm_i], "control": added[arm_c]}}
    if not waiting:
        out["statement"] = "No participant's outcome waited for an offence code at the cut."
        return out
    for bound in ("min", "max"):
        extra = {
            arm: np.array([getattr(u, f"harm_{bound}") for u in waiting if u.arm == arm])
            for arm in (arm_i, arm_c)
        }
        out[bound] = _comparison(
            harm_i=np.concatenate([treated["harm"].to_numpy(float), extra[arm_i]]),
            harm_c=np.concatenate([control["harm"].to_numpy(float), extra[arm_c]]),
            # Each has a re-offence in the window: the record whose code is unknown.
            events_i=int(treated["reoffended"].sum()) + added[arm_i],
            events_c=int(control["reoffended"].sum()) + added[arm_c],
        )
    return out


def _charge_only(*, treated: pd.DataFrame, control: pd.DataFrame) -> dict[str, Any]:
    both = pd.concat([treated, control])
    unknown = int(both["reoffended_charged"].isna().sum())
    if unknown:
        return {
            "not_done": f"The record status (complaint, arrest, charge...) was not recorded for "
            f"{unknown} participant(s), so charge-only outcomes cannot be counted."
        }
    return _comparison(
        harm_i=treated["harm_charged"].to_numpy(float),
        harm_c=control["harm_charged"].to_numpy(float),
        events_i=int(treated["reoffended_charged"].astype(bool).sum()),
        events_c=int(control["reoffended_charged"].astype(bool).sum()),
    )


def _winsorised(*, treated: pd.DataFrame, control: pd.DataFrame) -> dict[str, Any]:
    pooled = np.concatenate([treated["harm"].to_numpy(float), control["harm"].to_numpy(float)])
    cap = float(np.percentile(pooled, WINSOR_PERCENTILE))
    harm_i = np.minimum(treated["harm"].to_numpy(float), cap)
    harm_c = np.minimum(control["harm"].to_numpy(float), cap)
    return {
        "percentile": WINSOR_PERCENTILE,
        "cap": cap,
        "capped": int((pooled > cap).sum()),
        "harm": _mean_difference(harm_i, harm_c),
    }


def sensitivity_analyses(
    *, treated: pd.DataFrame, control: pd.DataFrame, meta: TrialMeta, arm_i: str, arm_c: str
) -> dict[str, Any]:
    """Return the three sensitivity analyses of one intervention arm against control."""
    return {
        "method": METHOD,
        "unscorable_bounds": _unscorable_bounds(
            treated=treated, control=control, meta=meta, arm_i=arm_i, arm_c=arm_c
        ),
        "charge_only": _charge_only(treated=treated, control=control),
        "winsorised": _winsorised(treated=treated, control=control),
    }
