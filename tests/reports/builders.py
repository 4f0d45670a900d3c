"""Hand-made analysis datasets: small enough that every figure can be worked out in the test."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from reports.analysis.dataset import (
    AnalysisDataset,
    ArmFlow,
    ArmInfo,
    FeedbackAnswer,
    ParticipantRow,
    RandomisationScheme,
    Screening,
    TrialMeta,
)

ARMS = (
    ArmInfo(code="cara", name="CARA workshops", is_intervention=True),
    ArmInfo(code="control", name="Caution only", is_intervention=False),
)


def meta(
    *,
    arms: tuple[ArmInfo, ...] = ARMS,
    screening: Screening | None = None,
    feedback: tuple[FeedbackAnswer, ...] = (),
    strata: list[str] | None = None,
    flow: tuple[ArmFlow, ...] | None = None,
    min_per_arm: int = 10,
) -> TrialMeta:
    """Return trial metadata for a hand-made dataset."""
    return TrialMeta(
        code="CARA",
        title="Project CARA",
        arms=arms,
        window_months=12,
        data_cut=date(2016, 6, 30),
        cchi_version="CCHI 2020",
        randomisation=RandomisationScheme(
            ratios={a.code: 1 for a in arms},
            block_sizes=[2, 4, 6],
            strata_factors={"area": strata or ["north", "south"]},
        ),
        screening=screening,
        feedback=feedback,
        flow=flow,
        min_per_arm=min_per_arm,
    )


def person(i: int, arm: str, **fields: Any) -> ParticipantRow:
    """Return one participant; a re-offence needs offences, harm and days_to_first set."""
    offences = fields.pop("offences", 0)
    values: dict[str, Any] = {
        "trial_id": f"CARA-{i:04d}",
        "arm": arm,
        "stratum": "area=north" if i % 2 else "area=south",
        "randomised_on": date(2014, 1, 1) + timedelta(days=i % 400),
        "age": 20 + i % 40,
        "offence_type": "common assault",
        "dash_risk": "standard",
        "workshops_attended": 2 if arm == "cara" else None,
        "withdrawn": False,
        "reoffended": offences > 0,
        "reoffended_same_partner": False,
        "reoffended_domestic": offences > 0,
        "offences": offences,
        "harm": 0.0,
        "days_to_first": 100 if offences else None,
        "follow_up_days": 365,
    }
    values.update(fields)
    return ParticipantRow(**values)


def two_by_two(*, a: int, n1: int, c: int, n2: int, **meta_fields: Any) -> AnalysisDataset:
    """Return a two-arm dataset where a of n1 (cara) and c of n2 (control) re-offended once."""
    rows = [
        person(i, "cara", offences=1 if i < a else 0, harm=2.0 if i < a else 0.0) for i in range(n1)
    ]
    rows += [
        person(n1 + j, "control", offences=1 if j < c else 0, harm=2.0 if j < c else 0.0)
        for j in range(n2)
    ]
    return AnalysisDataset(meta=meta(**meta_fields), rows=tuple(rows))


def cara_published(**meta_fields: Any) -> AnalysisDataset:
    """Return 154 workshop and 139 control men with the published harm totals 1,299 and 1,616."""
    rows = []
    # 30 workshop re-offenders: 29 x 43.0 + 52.0 = 1,299 CCHI days.
    for i in range(154):
        harm = (52.0 if i == 0 else 43.0) if i < 30 else 0.0
        rows.append(
            person(
                i,
                "cara",
                offences=1 if harm else 0,
                harm=harm,
                workshops_attended=2 if i % 5 else 1,
            )
        )
    # 40 control re-offenders: 39 x 40.0 + 56.0 = 1,616 CCHI days.
    for j in range(139):
        harm = (56.0 if j == 0 else 40.0) if j < 40 else 0.0
        rows.append(person(200 + j, "control", offences=1 if harm else 0, harm=harm))
    return AnalysisDataset(meta=meta(**meta_fields), rows=tuple(rows))
