"""A custody or triage system's steps: screen, record the victim's decision, enrol and randomise.

The same steps as the officer's pages, through the same services (the one-door rule): these
functions only turn a machine's JSON facts into the services' inputs and their results into
plain JSON-able dicts. Every input problem is found before anything is written.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from common.exceptions import NotAllowedError
from common.models import PoliceArea, User
from participants.models import (
    Admission,
    ConsentDecision,
    ConsentMethod,
    DashRisk,
    OffenceType,
    Participant,
    Relationship,
    Sex,
)
from participants.selectors.cases import cases_visible_to
from participants.services.consent import ConsentInput, VictimInput, consent_record
from participants.services.enrolment import participant_enrol
from participants.services.screening import ScreeningInput, screening_record
from participants.services.validation import InvalidInputError

if TYPE_CHECKING:
    from trial.models import Trial

# What each field of a request must be: a kind, or the codes a choice accepts.
TEXT, DATE, BOOL = "text", "date", "bool"
Kind = str | tuple[str, ...]

SCREENING_KINDS: dict[str, Kind] = {
    "given_name": TEXT,
    "family_name": TEXT,
    "date_of_birth": DATE,
    "sex": tuple(Sex.values),
    "pnc_id": TEXT,
    "custody_reference": TEXT,
    "interpreter_needed": BOOL,
    "appropriate_adult_needed": BOOL,
    "offence_type": tuple(OffenceType.values),
    "offence_date": DATE,
    "arrest_date": DATE,
    "admission": tuple(Admission.values),
    "first_domestic_offence": BOOL,
    "last_violence_on": DATE,
    "dash_risk": tuple(DashRisk.values),
    "on_bail_or_order": BOOL,
    "victim_relationship": tuple(Relationship.values),
    "caution_offered": BOOL,
    "phone": TEXT,
    "email": TEXT,
    "address": TEXT,
    "support_needs": TEXT,
}
VICTIM_KINDS: dict[str, Kind] = {
    "given_name": TEXT,
    "family_name": TEXT,
    "contacted": BOOL,
    "contacted_on": DATE,
    "risk_raised": BOOL,
    "risk_details": TEXT,
    "phone": TEXT,
    "email": TEXT,
    "address": TEXT,
}
CONSENT_KINDS: dict[str, Kind] = {
    "decision": tuple(ConsentDecision.values),
    "decided_on": DATE,
    "method": tuple(ConsentMethod.values),
}
ENROL_KINDS: dict[str, Kind] = {"caution_given_on": DATE}
# Answers that may be left out: the dataclasses' defaults, and dates that may be unknown.
OPTIONAL = {"phone", "email", "address", "support_needs", "risk_details"}
NULLABLE = {"last_violence_on", "contacted_on"}


class Criterion(TypedDict):
    code: str
    message: str


class ScreenResult(TypedDict):
    case: str
    status: str
    eligible: bool
    failed_criteria: list[Criterion]


class Caution(TypedDict):
    given_on: str
    compliance_ends_on: str
    workshop_deadline: str | None
    conditions: list[str]
    meaning: str


class EnrolResult(TypedDict):
    case: str
    status: str
    arm: str
    arm_name: str
    intervention: bool
    randomised_on: str
    caution: Caution


def _value(name: str, kind: Kind, raw: Any) -> tuple[Any, str | None]:
    """Return the value as the services take it, or why it cannot be read."""
    if raw is None:
        return None, None if name in NULLABLE else "This field may not be null."
    if kind == BOOL:
        return raw, None if isinstance(raw, bool) else "Give true or false."
    if not isinstance(raw, str):
        return None, "Give a string."
    if kind == DATE:
        try:
            if len(raw) != 10:
                raise ValueError(raw)
            return datetime.date.fromisoformat(raw), None
        except ValueError:
            return None, "Give a date as YYYY-MM-DD."
    if isinstance(kind, tuple) and raw not in kind:
        return None, f"Give one of: {', '.join(kind)}."
    return raw, None


def _read(
    facts: Mapping[str, Any], kinds: dict[str, Kind], extra: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Return the known fields read, or raise InvalidInputError naming every bad field."""
    if not isinstance(facts, Mapping):
        raise InvalidInputError({"facts": "Send the facts as a JSON object."})
    problems = {
        name: "This field is not known."
        for name in facts
        if name not in kinds and name not in extra
    }
    values: dict[str, Any] = {}
    for name, kind in kinds.items():
        if name not in facts:
            if name not in OPTIONAL and name not in NULLABLE:
                problems[name] = "This field is required."
            continue
        value, problem = _value(name, kind, facts[name])
        if problem:
            problems[name] = problem
        else:
            values[name] = value
    if problems:
        raise InvalidInputError(problems)
    return values


def _criteria(case: Participant) -> list[Criterion]:
    return [{"code": f["code"], "message": f["text"]} for f in case.failed_criteria]


def _screen_result(case: Participant) -> ScreenResult:
    return {
        "case": case.pseudonym,
        "status": case.status,
        "eligible": bool(case.eligible),
        "failed_criteria": _criteria(case),
    }


def _area(by: User, facts: Mapping[str, Any]) -> PoliceArea:
    code = facts.get("police_area")
    if code is None and by.police_area is not None:
        return by.police_area
    area = PoliceArea.objects.filter(code=code).first() if isinstance(code, str) else None
    if area is None:
        raise InvalidInputError({"police_area": "Give the code of a police area of the trial."})
    return area


def _case(by: User, trial: Trial, facts: Mapping[str, Any]) -> Participant:
    """Return the case the request names, if the sender may act on it."""
    pseudonym = facts.get("case")
    if not isinstance(pseudonym, str) or not pseudonym.strip():
        raise InvalidInputError({"case": "Give the case's trial ID, e.g. CARA-0001."})
    case = cases_visible_to(by).filter(trial=trial, pseudonym=pseudonym.strip().upper()).first()
    if case is None:
        raise NotAllowedError(
            f"{pseudonym} is not a case of trial {trial.code} that you may act on.", field="case"
        )
    return case


def custody_screen(
    *, by: User, trial: Trial, facts: Mapping[str, Any], token: uuid.UUID | None = None
) -> ScreenResult:
    """Screen a case from a custody system's facts; return its eligibility and every failed rule."""
    values = _read(facts, SCREENING_KINDS, extra=frozenset({"police_area"}))
    values.setdefault("last_violence_on", None)
    area = _area(by, facts)
    case = screening_record(
        trial=trial,
        police_area=area,
        details=ScreeningInput(**values),
        token=token or uuid.uuid4(),
        by=by,
    )
    return _screen_result(case)


def custody_consent(
    *, by: User, trial: Trial, facts: Mapping[str, Any], token: uuid.UUID | None = None
) -> ScreenResult:
    """Record the victim's decision on a case; return its status and every failed rule."""
    if not isinstance(facts, Mapping):
        raise InvalidInputError({"facts": "Send the facts as a JSON object."})
    victim = facts.get("victim", {})
    consent = facts.get("consent", {})
    problems: dict[str, str] = {
        name: "This field is not known."
        for name in facts
        if name not in {"case", "victim", "consent"}
    }
    read: dict[str, dict[str, Any]] = {}
    for part, given, kinds in (
        ("victim", victim, VICTIM_KINDS),
        ("consent", consent, CONSENT_KINDS),
    ):
        try:
            read[part] = _read(given, kinds)
        except InvalidInputError as exc:
            problems.update({f"{part}.{name}": text for name, text in exc.errors.items()})
    if problems:
        raise InvalidInputError(problems)
    read["victim"].setdefault("contacted_on", None)
    case = _case(by, trial, facts)
    case = consent_record(
        participant=case,
        victim=VictimInput(**read["victim"]),
        consent=ConsentInput(**read["consent"]),
        token=token or uuid.uuid4(),
        by=by,
    )
    return _screen_result(case)


def caution_conditions(case: Participant) -> tuple[list[str], str]:
    """Return the caution's conditions and what the arm means, as the "randomised" page says them.

    The words of templates/participants/_conditions.html (a test holds the two together).
    """
    # Every enrolled case has them (participant_enrol sets them in its transaction).
    assert case.allocation is not None
    assert case.caution_given_on is not None
    assert case.compliance_ends_on is not None
    conditions = [
        f"Not to commit any further offence between {case.caution_given_on:%d/%m/%Y} "
        f"and {case.compliance_ends_on:%d/%m/%Y}."
    ]
    if case.allocation.arm.is_intervention:
        assert case.workshop_deadline is not None
        conditions.append(
            "To attend both parts of the CARA workshops (two five-hour sessions about four weeks "
            "apart, run by the workshop provider) and to complete them by "
            f"{case.workshop_deadline:%d/%m/%Y}. The provider will contact him to book a place."
        )
        meaning = "The conditions include attending both workshops by the deadline."
    else:
        meaning = "Control arm: the non-reoffending condition only; no workshops."
    meaning += (
        " Failing to meet a condition without a reasonable excuse allows prosecution for the "
        "original offence."
    )
    return conditions, meaning


def custody_enrol(
    *, by: User, trial: Trial, facts: Mapping[str, Any], token: uuid.UUID | None = None
) -> EnrolResult:
    """Enrol and randomise a consented case; return its arm and what it means for the caution."""
    values = _read(facts, ENROL_KINDS, extra=frozenset({"case"}))
    case = _case(by, trial, facts)
    case = participant_enrol(
        participant=case,
        caution_given_on=values["caution_given_on"],
        token=token or uuid.uuid4(),
        by=by,
    )
    # Every enrolled case has them (participant_enrol sets them in its transaction).
    assert case.allocation is not None
    assert case.caution_given_on is not None
    assert case.compliance_ends_on is not None
    conditions, meaning = caution_conditions(case)
    arm = case.allocation.arm
    return {
        "case": case.pseudonym,
        "status": case.status,
        "arm": arm.code,
        "arm_name": arm.name,
        "intervention": arm.is_intervention,
        "randomised_on": case.allocation.randomised_on.isoformat(),
        "caution": {
            "given_on": case.caution_given_on.isoformat(),
            "compliance_ends_on": case.compliance_ends_on.isoformat(),
            "workshop_deadline": (
                case.workshop_deadline.isoformat() if case.workshop_deadline else None
            ),
            "conditions": conditions,
            "meaning": meaning,
        },
    }
