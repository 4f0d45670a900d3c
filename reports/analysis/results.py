"""One call from an analysis dataset to the results dict (keys documented in docs/analysis.md)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from common.exceptions import DomainError
from reports.analysis.baseline import baseline_table, recruitment
from reports.analysis.bootstrap import DEFAULT_REPS, DEFAULT_SEED, validate_reps
from reports.analysis.consort import consort_flow
from reports.analysis.consort2025 import consort_2025
from reports.analysis.dataset import AnalysisDataset, TrialMeta, dataset_sha256, to_frame
from reports.analysis.effects import binary_comparison
from reports.analysis.estimates import primary_estimates
from reports.analysis.frequency import MODEL, frequency_comparison, frequency_summary
from reports.analysis.guards import guard_small_arms
from reports.analysis.harm import harm_comparison, harm_summary
from reports.analysis.inference import DEFAULT_DRAWS, validate_draws
from reports.analysis.monitoring import interim_results
from reports.analysis.secondary import CACE_METHOD, cace, compliance, feedback_summary, per_protocol
from reports.analysis.sensitivity import sensitivity_analyses
from reports.analysis.survival import durations, kaplan_meier, logrank_p

SCHEMA_VERSION = 1
BINARY = (
    ("prevalence", "reoffended"),
    ("prevalence_same_partner", "reoffended_same_partner"),
    ("prevalence_domestic", "reoffended_domestic"),
)
# Comparison blocks mirrored at the top level for the primary (first intervention) comparison.
MIRRORED = (*(key for key, _ in BINARY), "harm", "frequency")


def jsonable(value: Any) -> Any:
    """Return the value with numpy scalars as Python numbers and NaN or infinity as None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _arm_summary(rows: pd.DataFrame) -> dict[str, Any]:
    """Return the per-arm counts, proportions, harm and frequency figures."""
    n = len(rows)
    out: dict[str, Any] = {"n": n}
    for key, column in BINARY:
        suffix = key.removeprefix("prevalence")
        events = int(rows[column].sum())
        out[f"reoffended{suffix}"] = events
        out[key] = events / n
    out.update(harm_summary(rows["harm"].to_numpy(float)))
    out.update(
        frequency_summary(
            offences=rows["offences"].to_numpy(np.int64), days=rows["follow_up_days"].to_numpy()
        )
    )
    out["withdrawn"] = int(rows["withdrawn"].sum())
    return out


def _compare(
    *, treated: pd.DataFrame, control: pd.DataFrame, reps: int, seed: int
) -> dict[str, Any]:
    """Return every effect of one intervention arm against control."""
    block: dict[str, Any] = {}
    for key, column in BINARY:
        block[key] = binary_comparison(
            a=int(treated[column].sum()),
            n1=len(treated),
            c=int(control[column].sum()),
            n2=len(control),
        )
    block["harm"] = harm_comparison(
        intervention=treated["harm"].to_numpy(float),
        control=control["harm"].to_numpy(float),
        reps=reps,
        seed=seed,
    )
    block["frequency"] = frequency_comparison(
        offences_i=treated["offences"].to_numpy(np.int64),
        days_i=treated["follow_up_days"].to_numpy(),
        offences_c=control["offences"].to_numpy(np.int64),
        days_c=control["follow_up_days"].to_numpy(),
    )
    time_i, obs_i = durations(
        days_to_first=treated["days_to_first"].to_numpy(float),
        follow_up_days=treated["follow_up_days"].to_numpy(),
    )
    time_c, obs_c = durations(
        days_to_first=control["days_to_first"].to_numpy(float),
        follow_up_days=control["follow_up_days"].to_numpy(),
    )
    block["survival"] = {
        "logrank_p_value": logrank_p(
            time_i=time_i, observed_i=obs_i, time_c=time_c, observed_c=obs_c
        )
    }
    block["per_protocol"] = per_protocol(treated=treated, control=control, reps=reps, seed=seed)
    block["cace"] = cace(treated=treated, control=control, reps=reps, seed=seed)
    return block


def analyse(
    *,
    dataset: AnalysisDataset,
    reps: int = DEFAULT_REPS,
    seed: int = DEFAULT_SEED,
    draws: int = DEFAULT_DRAWS,
) -> dict[str, Any]:
    """Return every figure of the report for the dataset; the same input gives the same output."""
    validate_reps(reps)
    validate_draws(draws)
    meta = dataset.meta
    frame = to_frame(dataset=dataset)
    arms = {arm.code: frame[frame["arm"] == arm.code] for arm in meta.arms}
    empty = [arm.name for arm in meta.arms if arms[arm.code].empty]
    if empty:
        raise DomainError(
            f"No participant in {', '.join(empty)}: effects cannot be estimated with an empty arm.",
            code="empty_arm",
        )
    control = next(a for a in meta.arms if not a.is_intervention)
    interventions = [a for a in meta.arms if a.is_intervention]
    comparisons = {
        f"{arm.code}_vs_{control.code}": {
            "intervention": arm.code,
            "control": control.code,
            **guard_small_arms(
                _compare(treated=arms[arm.code], control=arms[control.code], reps=reps, seed=seed),
                n_treated=len(arms[arm.code]),
                n_control=len(arms[control.code]),
                minimum=meta.min_per_arm,
                names=(arm.name, control.name),
            ),
        }
        for arm in interventions
    }
    primary_key = f"{interventions[0].code}_vs_{control.code}"
    primary = comparisons[primary_key]
    survival_arms = {}
    for arm in meta.arms:
        time, observed = durations(
            days_to_first=arms[arm.code]["days_to_first"].to_numpy(float),
            follow_up_days=arms[arm.code]["follow_up_days"].to_numpy(),
        )
        survival_arms[arm.code] = kaplan_meier(time=time, observed=observed)
    results: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "trial_code": meta.code,
            "trial_title": meta.title,
            "window_months": meta.window_months,
            "data_cut": meta.data_cut.isoformat(),
            "cchi_version": meta.cchi_version,
            "dataset_sha256": dataset_sha256(dataset=dataset),
            "participants": len(frame),
            "primary_analysis": "intention-to-treat",
            "primary_comparison": primary_key,
            "control_arm": control.code,
            "randomisation": {
                "ratios": dict(meta.randomisation.ratios),
                "block_sizes": list(meta.randomisation.block_sizes),
                "strata_factors": dict(meta.randomisation.strata_factors),
                "method": meta.randomisation.method,
            },
            "bootstrap": {"reps": reps, "seed": seed},
            "methods": {
                "prevalence": "risk ratio with 95% CI by the log (Katz) method; risk difference "
                "with 95% Wald CI; Fisher's exact test, two-sided",
                "harm": "difference in mean CCHI days with a percentile bootstrap 95% CI "
                f"({reps} resamples within arm, seed {seed}); Mann-Whitney U test, two-sided",
                "frequency": MODEL,
                "survival": "Kaplan-Meier per arm, censored at the end of follow-up; log-rank test",
                "cace": CACE_METHOD,
            },
            # The analysis plan in force at the cut (version, primary outcome, changes made
            # after unblinding); None: no plan declared by the cut.
            "plan": meta.plan,
        },
        "arms": {
            arm.code: {"name": arm.name, "is_intervention": arm.is_intervention}
            | _arm_summary(arms[arm.code])
            for arm in meta.arms
        },
        **{key: primary[key] for key in MIRRORED},
        "survival": {
            "arms": survival_arms,
            "logrank_p_value": primary["survival"]["logrank_p_value"],
        },
        "secondary": {"per_protocol": primary["per_protocol"], "cace": primary["cace"]},
        "comparisons": comparisons,
        "compliance": {
            arm.code: compliance(workshops=arms[arm.code]["workshops_attended"])
            for arm in interventions
        },
        "consort": consort_flow(frame=frame, meta=meta),
        "baseline": baseline_table(frame=frame, meta=meta),
        "recruitment": recruitment(frame=frame, meta=meta),
        "feedback": feedback_summary(answers=meta.feedback),
        "sensitivity": sensitivity_analyses(
            treated=arms[interventions[0].code],
            control=arms[control.code],
            meta=meta,
            arm_i=interventions[0].code,
            arm_c=control.code,
        ),
        "consort_2025": consort_2025(frame=frame, meta=meta),
        "estimates": primary_estimates(
            treated=arms[interventions[0].code],
            control=arms[control.code],
            meta=meta,
            draws=draws,
            seed=seed,
        ),
        "monitoring": interim_results(
            meta=meta, treated=arms[interventions[0].code], control=arms[control.code]
        ),
    }
    _withdrawals_not_recorded(results, meta)
    return jsonable(results)


def _withdrawals_not_recorded(results: dict[str, Any], meta: TrialMeta) -> None:
    """Say "not recorded" (None) for an arm's withdrawals where the source could not carry them."""
    for flow in meta.flow or ():
        if flow.withdrawn is None and flow.arm in results["arms"]:
            results["arms"][flow.arm]["withdrawn"] = None
            results["consort"]["arms"][flow.arm]["withdrawn_analysed"] = None
