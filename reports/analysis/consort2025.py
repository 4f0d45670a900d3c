"""The figures CONSORT 2025 asks for beyond the effects: dates, baseline of all randomised,
one compliance definition, harms by arm, numbers at risk and the feedback response rate."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reports.analysis.baseline import baseline_table
from reports.analysis.dataset import TrialMeta
from reports.analysis.survival import durations

# Numbers at risk every quarter of a year: the rows under the Kaplan-Meier plot.
AT_RISK_STEP_DAYS = 90


def _randomised_frame(meta: TrialMeta) -> pd.DataFrame | None:
    """Return everyone randomised by the cut as a frame, or None when the dataset lacks them."""
    if not meta.randomised:
        return None
    return pd.DataFrame(
        {
            "arm": [r.arm for r in meta.randomised],
            "stratum": [r.stratum for r in meta.randomised],
            "randomised_on": pd.to_datetime([r.randomised_on for r in meta.randomised]),
            "age": pd.array([r.age for r in meta.randomised], dtype="Float64").astype(float),
            "offence_type": [r.offence_type for r in meta.randomised],
            "dash_risk": [r.dash_risk for r in meta.randomised],
        }
    )


def _dates(frame: pd.DataFrame, everyone: pd.DataFrame | None, meta: TrialMeta) -> dict[str, Any]:
    """Return first and last randomisation (everyone by the cut) and the end of follow-up."""
    source = frame if everyone is None else everyone
    ends = frame["randomised_on"] + pd.to_timedelta(frame["follow_up_days"], unit="D")
    return {
        "first_randomised": source["randomised_on"].min().date().isoformat(),
        "last_randomised": source["randomised_on"].max().date().isoformat(),
        # The last day of follow-up of anyone analysed; never later than the cut.
        "follow_up_ended": min(ends.max().date(), meta.data_cut).isoformat(),
        "data_cut": meta.data_cut.isoformat(),
        "dates_of": "everyone randomised by the cut" if everyone is not None else "those analysed",
    }


def numbers_at_risk(*, frame: pd.DataFrame, meta: TrialMeta) -> dict[str, Any]:
    """Return per arm the men still at risk (not re-offended, not censored) at regular days."""
    window = int(frame["follow_up_days"].max())
    times = list(range(0, window + 1, AT_RISK_STEP_DAYS))
    arms: dict[str, list[int]] = {}
    for arm in meta.arms:
        rows = frame[frame["arm"] == arm.code]
        time, _observed = durations(
            days_to_first=rows["days_to_first"].to_numpy(float),
            follow_up_days=rows["follow_up_days"].to_numpy(),
        )
        # At risk at day t: followed up to t without a re-offence before it.
        arms[arm.code] = [int(np.sum(time >= t)) for t in times]
    return {"days": times, "arms": arms}


def _compliance(frame: pd.DataFrame, meta: TrialMeta) -> dict[str, Any]:
    """Return the one compliance definition: attended both workshops, n of N allocated (%)."""
    flows = {f.arm: f for f in meta.flow or ()}
    out: dict[str, Any] = {}
    for arm in meta.arms:
        if not arm.is_intervention:
            continue
        flow = flows.get(arm.code)
        if flow is not None:
            both, allocated = flow.received, flow.randomised
        else:
            rows = frame[frame["arm"] == arm.code]["workshops_attended"]
            recorded = rows.notna().any()
            both, allocated = (int((rows == 2).sum()) if recorded else None), len(rows)
        out[arm.code] = {
            "both": both,
            "allocated": allocated,
            "percent": None if both is None or not allocated else 100 * both / allocated,
        }
    return out


def _feedback_response(meta: TrialMeta, compliance: dict[str, Any]) -> dict[str, Any] | None:
    """Return answered / asked: the men answering the most-answered statement, of those who
    attended both workshops (the questionnaire is given at the end of part 2)."""
    if not meta.feedback:
        return None
    counts: dict[str, int] = {}
    for answer in meta.feedback:
        counts[answer.question] = counts.get(answer.question, 0) + 1
    asked = sum(c["both"] or 0 for c in compliance.values())
    answered = max(counts.values())
    if not asked:
        return None
    return {"answered": answered, "asked": asked, "percent": 100 * answered / asked}


def consort_2025(*, frame: pd.DataFrame, meta: TrialMeta) -> dict[str, Any]:
    """Return the CONSORT 2025 figures beside the effects (documented in docs/analysis.md)."""
    everyone = _randomised_frame(meta)
    compliance = _compliance(frame, meta)
    flows = {f.arm: f for f in meta.flow or ()}
    return {
        "dates": _dates(frame, everyone, meta),
        "baseline_randomised": None
        if everyone is None
        else baseline_table(frame=everyone, meta=meta),
        "baseline_randomised_n": None if everyone is None else len(everyone),
        "compliance": compliance,
        "feedback_response": _feedback_response(meta, compliance),
        "safety_events": {
            arm.code: None if arm.code not in flows else flows[arm.code].safety_events
            for arm in meta.arms
        },
        "numbers_at_risk": numbers_at_risk(frame=frame, meta=meta),
    }
