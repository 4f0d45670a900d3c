"""Baseline characteristics by arm (CONSORT item 15) and recruitment over time."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reports.analysis.dataset import TrialMeta

CATEGORICAL = (
    ("offence_type", "Offence type"),
    ("dash_risk", "DASH risk"),
    ("stratum", "Stratum"),
)


def _levels(*, frame: pd.DataFrame, column: str, codes: list[str]) -> dict[str, Any]:
    """Return {level: {arm: {n, percent}}} for one categorical column, levels sorted."""
    table = pd.crosstab(frame[column].astype(str), frame["arm"]).reindex(
        columns=codes, fill_value=0
    )
    sizes = frame["arm"].value_counts().reindex(codes, fill_value=0)
    out: dict[str, Any] = {}
    for level in sorted(table.index):
        out[level] = {
            code: {
                "n": int(table.at[level, code]),
                "percent": 100 * int(table.at[level, code]) / int(sizes[code])
                if sizes[code]
                else None,
            }
            for code in codes
        }
    return out


def baseline_table(*, frame: pd.DataFrame, meta: TrialMeta) -> dict[str, Any]:
    """Return age (mean, SD) and the categorical characteristics by arm; no p-values (CONSORT)."""
    codes = [a.code for a in meta.arms]
    age: dict[str, Any] = {}
    for code in codes:
        values = frame.loc[frame["arm"] == code, "age"]
        known = values.dropna()
        age[code] = {
            "n": int(known.size),
            "mean": float(known.mean()) if known.size else None,
            "sd": float(known.std(ddof=1)) if known.size > 1 else None,
            "missing": int(values.isna().sum()),
        }
    table: dict[str, Any] = {"age": age}
    for column, _label in CATEGORICAL:
        table[column] = _levels(frame=frame, column=column, codes=codes)
    return table


def recruitment(*, frame: pd.DataFrame, meta: TrialMeta) -> dict[str, Any]:
    """Return participants randomised per calendar month and arm, every month in between shown.

    Everyone randomised by the cut when the dataset carries the flow's monthly counts (analysed
    or not: an interim cut's open windows were recruited too); else the rows, all analysed.
    """
    codes = [a.code for a in meta.arms]
    flows = meta.flow or ()
    if flows and all(f.randomised_by_month is not None for f in flows):
        by_arm = {f.arm: dict(f.randomised_by_month or ()) for f in flows}
        seen = sorted({m for months in by_arm.values() for m in months})
        if not seen:
            return {"months": [], "arms": {code: [] for code in codes}}
        span = pd.period_range(seen[0], seen[-1], freq="M")
        return {
            "months": [str(p) for p in span],
            "arms": {
                code: [int(by_arm.get(code, {}).get(str(p), 0)) for p in span] for code in codes
            },
        }
    months = frame["randomised_on"].dt.to_period("M")
    span = pd.period_range(months.min(), months.max(), freq="M")
    counts = pd.crosstab(months, frame["arm"]).reindex(index=span, columns=codes, fill_value=0)
    return {
        "months": [str(p) for p in span],
        "arms": {code: [int(v) for v in counts[code].to_numpy()] for code in codes},
    }
