"""Everyone randomised by the cut, analysed or not: CONSORT 2025's baseline of all randomised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class RandomisedBaseline:
    """One man randomised by the cut: his arm, stratum, date and baseline facts, pseudonymised."""

    trial_id: str
    arm: str
    stratum: str
    randomised_on: date
    age: int | None
    offence_type: str
    dash_risk: str
