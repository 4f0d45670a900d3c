"""Everyone randomised by a cut with his baseline facts: the report's all-randomised table."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from reports.analysis.randomised import RandomisedBaseline
from trial.selectors import allocations

if TYPE_CHECKING:
    from trial.models import Trial


class BaselineFacts(Protocol):
    """A man's baseline facts as the dataset selector reads them (live or imported)."""

    @property
    def age(self) -> int | None: ...
    @property
    def offence_type(self) -> str: ...
    @property
    def dash_risk(self) -> str: ...


def randomised_baseline(
    *, trial: Trial, data_cut: datetime.date, baseline: Mapping[str, BaselineFacts]
) -> tuple[RandomisedBaseline, ...]:
    """Return one baseline row per allocation made by the cut, in trial ID order."""
    rows = allocations(trial=trial, randomised_by=data_cut).values_list(
        "participant_key", "arm__code", "stratum__key", "randomised_on"
    )
    out = []
    for key, arm, stratum, randomised_on in rows:
        base = baseline.get(key)
        out.append(
            RandomisedBaseline(
                trial_id=key,
                arm=arm,
                stratum=stratum or "",
                randomised_on=randomised_on,
                age=None if base is None else base.age,
                offence_type="not recorded" if base is None else base.offence_type,
                dash_risk="not recorded" if base is None else base.dash_risk,
            )
        )
    return tuple(sorted(out, key=lambda r: r.trial_id))
