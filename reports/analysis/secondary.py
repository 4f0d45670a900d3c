"""Secondary analyses: workshop compliance, per-protocol, CACE; and the feedback questionnaire."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reports.analysis.bootstrap import percentile_ci, resampled_sums
from reports.analysis.dataset import FeedbackAnswer
from reports.analysis.effects import binary_comparison
from reports.analysis.harm import harm_comparison

CACE_METHOD = (
    "ITT effect divided by the proportion of the intervention arm attending both workshops "
    "(one-sided non-compliance: control cannot attend); 95% CI by percentile bootstrap, arms "
    "resampled separately, compliance resampled with the outcome"
)


def compliance(*, workshops: pd.Series) -> dict[str, Any]:
    """Return how many of an intervention arm attended 0, 1, 2 workshops or are not recorded."""
    n = int(workshops.size)
    recorded = workshops.dropna()
    both = int((recorded == 2).sum())
    return {
        "n": n,
        "attended_0": int((recorded == 0).sum()),
        "attended_1": int((recorded == 1).sum()),
        "attended_2": both,
        "not_recorded": n - int(recorded.size),
        # Not recorded counts as not received: the conservative reading for the CACE.
        "proportion_completed": both / n if recorded.size else None,
    }


def per_protocol(
    *, treated: pd.DataFrame, control: pd.DataFrame, reps: int, seed: int
) -> dict[str, Any] | None:
    """Compare completers of both workshops with the whole control arm (secondary, biased)."""
    if treated["workshops_attended"].isna().all():
        return None
    completers = treated[treated["workshops_attended"] == 2]
    return {
        "analysis": "secondary",
        "population": "intervention completers (both workshops) vs all control",
        "n_intervention": len(completers),
        "n_control": len(control),
        "prevalence": binary_comparison(
            a=int(completers["reoffended"].sum()),
            n1=len(completers),
            c=int(control["reoffended"].sum()),
            n2=len(control),
        ),
        "harm": harm_comparison(
            intervention=completers["harm"].to_numpy(float),
            control=control["harm"].to_numpy(float),
            reps=reps,
            seed=seed,
        )
        if len(completers)
        else None,
    }


MIN_COMPLIANCE = 0.2


def cace(
    *, treated: pd.DataFrame, control: pd.DataFrame, reps: int, seed: int
) -> dict[str, Any] | None:
    """Return the complier average causal effect on prevalence and mean harm, with bootstrap CIs."""
    if treated["workshops_attended"].isna().all():
        return None
    complied = (treated["workshops_attended"] == 2).to_numpy(float)
    share = float(complied.mean())
    if share == 0:
        return {"analysis": "secondary", "compliance": 0.0, "note": "nobody completed"}
    if share < MIN_COMPLIANCE:
        # Dividing by a small compliance magnifies noise into effects no one could have.
        return {
            "analysis": "secondary",
            "compliance": share,
            "note": f"compliance below {MIN_COMPLIANCE:.0%}: the CACE is not estimated",
        }
    cols_i = np.column_stack(
        [treated["reoffended"].to_numpy(float), treated["harm"].to_numpy(float), complied]
    )
    cols_c = np.column_stack(
        [control["reoffended"].to_numpy(float), control["harm"].to_numpy(float)]
    )
    itt_rd = cols_i[:, 0].mean() - cols_c[:, 0].mean()
    itt_harm = cols_i[:, 1].mean() - cols_c[:, 1].mean()
    rng = np.random.default_rng(seed)
    boot_i = resampled_sums(columns=cols_i, reps=reps, rng=rng) / len(cols_i)
    boot_c = resampled_sums(columns=cols_c, reps=reps, rng=rng) / len(cols_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        rd = (boot_i[:, 0] - boot_c[:, 0]) / boot_i[:, 2]
        harm = (boot_i[:, 1] - boot_c[:, 1]) / boot_i[:, 2]
    cace_rd: float | None = float(itt_rd / share)
    note = None
    if cace_rd is not None and abs(cace_rd) > 1:
        # A difference of proportions beyond +-100 points is impossible: not shown, and said.
        note = "the complier risk difference falls outside -100 to 100 points: not shown"
        cace_rd = None
    return {
        "analysis": "secondary",
        "compliance": share,
        "note": note,
        "risk_difference": cace_rd,
        "risk_difference_ci95": percentile_ci(rd),
        "harm_mean_difference": float(itt_harm / share),
        "harm_mean_difference_ci95": percentile_ci(harm),
        "method": CACE_METHOD,
        "bootstrap": {"reps": reps, "seed": seed},
    }


def feedback_summary(*, answers: tuple[FeedbackAnswer, ...]) -> dict[str, Any] | None:
    """Return per question the number answering and the percentage agreeing (4 or 5 of 5)."""
    if not answers:
        return None
    questions: dict[str, list[int]] = {}
    for answer in answers:
        questions.setdefault(answer.question, []).append(answer.score)
    return {
        "scale": "1 strongly disagree to 5 strongly agree; agreeing means 4 or 5",
        "questions": [
            {
                "question": question,
                "n": len(scores),
                "agree": sum(s >= 4 for s in scores),
                "percent_agree": 100 * sum(s >= 4 for s in scores) / len(scores),
            }
            for question, scores in questions.items()
        ],
    }
