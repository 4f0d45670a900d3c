"""Synthetic CARA-like datasets for the benchmark, the demo and tests: never real people."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from reports.analysis.dataset import (
    AnalysisDataset,
    ArmInfo,
    FeedbackAnswer,
    ParticipantRow,
    RandomisationScheme,
    Screening,
    TrialMeta,
)

OFFENCES = ("common assault", "criminal damage", "harassment", "threatening behaviour", "theft")
AREAS = ("southampton", "portsmouth", "basingstoke", "winchester")
DASH = ("standard", "medium")
# A few CCHI day values of likely re-offences, so harm takes realistic, repeated values.
HARM_VALUES = np.array([0.2, 1.0, 2.0, 5.0, 10.0, 20.0, 60.0, 180.0, 365.0])
HARM_WEIGHTS = np.array([20, 25, 15, 12, 10, 8, 6, 3, 1], dtype=float)
CARA_ARMS = (
    ArmInfo(code="cara", name="CARA workshops", is_intervention=True),
    ArmInfo(code="control", name="Caution only", is_intervention=False),
)


def cara_meta(
    *,
    data_cut: date = date(2016, 6, 30),
    screening: Screening | None = None,
    feedback: tuple[FeedbackAnswer, ...] = (),
    arms: tuple[ArmInfo, ...] = CARA_ARMS,
) -> TrialMeta:
    """Return CARA-like trial metadata: 1:1, blocks of 2/4/6, stratified by area."""
    return TrialMeta(
        code="CARA",
        title="Project CARA: conditional cautions with awareness workshops",
        arms=arms,
        window_months=12,
        data_cut=data_cut,
        cchi_version="CCHI 2020",
        randomisation=RandomisationScheme(
            ratios={a.code: 1 for a in arms},
            block_sizes=[2, 4, 6],
            strata_factors={"area": list(AREAS)},
        ),
        screening=screening,
        feedback=feedback,
    )


def synthetic_dataset(
    *, n: int, seed: int = 1, effect: float = 0.65, meta: TrialMeta | None = None
) -> AnalysisDataset:
    """Return n participants split at random between arms; intervention risk scaled by effect."""
    meta = meta or cara_meta(
        screening=Screening(
            assessed=n * 2, excluded_by_reason={"not eligible": n // 2, "no consent": n // 2}
        ),
    )
    rng = np.random.default_rng(seed)
    codes = [a.code for a in meta.arms]
    treated = {a.code for a in meta.arms if a.is_intervention}
    arm = rng.choice(codes, size=n)
    is_treated = np.isin(arm, list(treated))
    start = date(2013, 11, 1)
    randomised = rng.integers(0, 900, size=n)
    rate = np.where(is_treated, 0.3 * effect, 0.3)
    offences = np.where(rng.random(n) < rate * 1.5, rng.poisson(1.6, size=n) + 1, 0)
    offences = np.where(rng.random(n) < 0.9, offences, 0)
    max_offences = int(offences.max(initial=0))
    weights = HARM_WEIGHTS / HARM_WEIGHTS.sum()
    draws = rng.choice(HARM_VALUES, size=(n, max(max_offences, 1)), p=weights)
    harm = (draws * (np.arange(draws.shape[1]) < offences[:, None])).sum(axis=1)
    domestic = (offences > 0) & (rng.random(n) < 0.7)
    same = domestic & (rng.random(n) < 0.6)
    first = rng.integers(1, 366, size=n)
    workshops = rng.choice([0, 1, 2], size=n, p=[0.1, 0.15, 0.75])
    rows = tuple(
        ParticipantRow(
            trial_id=f"{meta.code}-{i + 1:06d}",
            arm=str(arm[i]),
            stratum=f"area={AREAS[i % len(AREAS)]}",
            randomised_on=start + timedelta(days=int(randomised[i])),
            age=int(18 + (i * 7919) % 50),
            offence_type=OFFENCES[(i * 31) % len(OFFENCES)],
            dash_risk=DASH[(i * 17) % 3 == 0],
            workshops_attended=int(workshops[i]) if is_treated[i] else None,
            withdrawn=bool(i % 97 == 0),
            reoffended=bool(offences[i] > 0),
            reoffended_same_partner=bool(same[i]),
            reoffended_domestic=bool(domestic[i]),
            offences=int(offences[i]),
            harm=float(round(harm[i], 6)),
            days_to_first=int(first[i]) if offences[i] > 0 else None,
            follow_up_days=365,
        )
        for i in range(n)
    )
    return AnalysisDataset(meta=meta, rows=rows)
