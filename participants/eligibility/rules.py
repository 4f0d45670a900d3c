"""The criteria as pure functions: facts and parameters in, each failed criterion in plain words.

A criterion whose parameter is missing, empty or false is not part of that trial's rules. The
offender's criteria are checked at screening; the victim's when contact and consent are recorded.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from participants.models import DashRisk, OffenceType, Relationship, Sex


@dataclass(frozen=True)
class CaseFacts:
    """What the officer records at screening that the rules look at."""

    sex: str
    date_of_birth: datetime.date
    offence_date: datetime.date
    offence_type: str
    admission: str
    victim_relationship: str
    first_domestic_offence: bool
    last_violence_on: datetime.date | None
    dash_risk: str
    on_bail_or_order: bool
    interpreter_needed: bool
    appropriate_adult_needed: bool
    caution_offered: bool


@dataclass(frozen=True)
class VictimFacts:
    """What the officer records after speaking to the victim."""

    contacted: bool
    risk_raised: bool
    consent_given: bool


@dataclass(frozen=True)
class Failure:
    """One failed criterion: a stable code for counting, and the reason in plain words."""

    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Return the age in whole years on a day (born 29 February: a year older on 1 March)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """Return the same calendar day some years earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _labels(choices: type[Any], codes: list[str]) -> str:
    names = [str(choices(code).label).lower() for code in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


Check = Callable[[CaseFacts, Mapping[str, Any]], str | None]


def _sex(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    allowed = p.get("sexes")
    if allowed and f.sex not in allowed:
        recorded = Sex(f.sex).label.lower()
        return f"The offender must be {_labels(Sex, allowed)}; recorded as {recorded}."
    return None


def _age(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    minimum = p.get("min_age")
    age = age_on(f.date_of_birth, f.offence_date)
    if minimum and age < minimum:
        return (
            f"The offender was {age} on the offence date; the trial takes men aged {minimum} "
            "or over."
        )
    return None


def _relationship(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    allowed = p.get("relationships")
    if allowed and f.victim_relationship not in allowed:
        return f"The victim must be a {_labels(Relationship, allowed)} of the offender."
    return None


def _offence(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    allowed = p.get("offence_types")
    if allowed and f.offence_type not in allowed:
        return (
            f"The offence ({OffenceType(f.offence_type).label.lower()}) is not one the trial "
            f"takes: {_labels(OffenceType, allowed)}."
        )
    return None


def _admission(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    allowed = p.get("admissions")
    if allowed and f.admission not in allowed:
        return (
            "The offence must be admitted (or the CPS must agree the evidence is overwhelming); "
            "it was not."
        )
    return None


def _first_offence(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    if p.get("require_first_domestic_offence") and not f.first_domestic_offence:
        return "This is not the offender's first domestic-abuse offence."
    return None


def _violence(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    years = p.get("violence_lookback_years")
    if not years or f.last_violence_on is None:
        return None
    # The window includes its first day: a caution exactly two years before the offence counts.
    if f.last_violence_on >= years_before(f.offence_date, years):
        return (
            f"The offender has a conviction or caution for violence in the {years} years before "
            f"the offence date ({f.last_violence_on:%d/%m/%Y})."
        )
    return None


def _dash(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    allowed = p.get("dash_levels")
    if allowed and f.dash_risk not in allowed:
        return (
            f"The DASH risk level is {DashRisk(f.dash_risk).label.lower()}; the trial takes "
            f"{_labels(DashRisk, allowed)} risk only."
        )
    return None


def _bail(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    if p.get("exclude_bail_or_order") and f.on_bail_or_order:
        return "The offender is on bail, or subject to a court order or community sentence."
    return None


def _interpreter(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    if p.get("exclude_interpreter") and f.interpreter_needed:
        return "The offender needs an interpreter (the workshops are held in English)."
    return None


def _appropriate_adult(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    if p.get("exclude_appropriate_adult") and f.appropriate_adult_needed:
        return "The offender needs an Appropriate Adult."
    return None


def _caution(f: CaseFacts, p: Mapping[str, Any]) -> str | None:
    if p.get("require_caution_offered") and not f.caution_offered:
        return "The decision was not to offer a conditional caution."
    return None


CRITERIA: list[tuple[str, Check]] = [
    ("sex", _sex),
    ("age", _age),
    ("relationship", _relationship),
    ("offence_type", _offence),
    ("admission", _admission),
    ("first_domestic_offence", _first_offence),
    ("recent_violence", _violence),
    ("dash_risk", _dash),
    ("bail_or_order", _bail),
    ("interpreter", _interpreter),
    ("appropriate_adult", _appropriate_adult),
    ("caution_offered", _caution),
]


def evaluate(facts: CaseFacts, parameters: Mapping[str, Any]) -> list[Failure]:
    """Return every offender criterion the facts fail (empty: eligible so far)."""
    failures = []
    for code, check in CRITERIA:
        text = check(facts, parameters)
        if text is not None:
            failures.append(Failure(code, text))
    return failures


def evaluate_victim(facts: VictimFacts, parameters: Mapping[str, Any]) -> list[Failure]:
    """Return every victim criterion the facts fail (empty: the case can be enrolled)."""
    failures = []
    if parameters.get("require_victim_contacted") and not facts.contacted:
        failures.append(Failure("victim_contacted", "The victim has not been contacted."))
    if parameters.get("exclude_victim_risk") and facts.risk_raised:
        failures.append(Failure("victim_risk", "The victim raised a specific risk."))
    if parameters.get("require_victim_consent") and not facts.consent_given:
        failures.append(
            Failure("victim_consent", "The victim does not agree to the offender taking part.")
        )
    return failures
