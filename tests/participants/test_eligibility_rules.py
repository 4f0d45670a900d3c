"""The eligibility rules at their edges: each criterion, each boundary, every reason listed."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participants.eligibility import CaseFacts, VictimFacts, age_on, evaluate, evaluate_victim
from participants.eligibility.defaults import CARA_DEFAULTS
from participants.models import Admission, DashRisk, OffenceType, Relationship, Sex

OFFENCE = datetime.date(2025, 3, 10)

ELIGIBLE = CaseFacts(
    sex="male",
    date_of_birth=datetime.date(1990, 1, 1),
    offence_date=OFFENCE,
    offence_type="common_assault",
    admission="admitted",
    victim_relationship="current_partner",
    first_domestic_offence=True,
    last_violence_on=None,
    dash_risk="standard",
    on_bail_or_order=False,
    interpreter_needed=False,
    appropriate_adult_needed=False,
    caution_offered=True,
)


def failed(**changes: Any) -> list[str]:
    return [f.code for f in evaluate(replace(ELIGIBLE, **changes), CARA_DEFAULTS)]


@pytest.mark.smoke
def test_an_eligible_case_fails_nothing_and_a_bad_one_gets_every_reason() -> None:
    assert failed() == []
    failures = evaluate(
        replace(
            ELIGIBLE,
            sex="female",
            dash_risk="high",
            on_bail_or_order=True,
            interpreter_needed=True,
            caution_offered=False,
        ),
        CARA_DEFAULTS,
    )
    assert [f.code for f in failures] == [
        "sex",
        "dash_risk",
        "bail_or_order",
        "interpreter",
        "caution_offered",
    ]
    texts = [f.text for f in failures]
    assert "The DASH risk level is high; the trial takes standard or medium risk only." in texts
    assert "The decision was not to offer a conditional caution." in texts


@pytest.mark.parametrize(
    ("date_of_birth", "expected"),
    [
        (datetime.date(2007, 3, 11), ["age"]),  # 17 years and 364 days on the offence date
        (datetime.date(2007, 3, 10), []),  # 18 on the offence date
        (datetime.date(2007, 3, 9), []),
    ],
)
def test_age_is_counted_on_the_offence_date(
    date_of_birth: datetime.date, expected: list[str]
) -> None:
    assert failed(date_of_birth=date_of_birth) == expected


def test_the_age_reason_says_how_old_he_was() -> None:
    (failure,) = evaluate(
        replace(ELIGIBLE, date_of_birth=datetime.date(2007, 3, 11)), CARA_DEFAULTS
    )
    assert failure.text.startswith("The offender was 17 on the offence date")


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    born = datetime.date(2004, 2, 29)
    assert age_on(born, datetime.date(2022, 2, 28)) == 17
    assert age_on(born, datetime.date(2022, 3, 1)) == 18
    assert age_on(born, datetime.date(2024, 2, 29)) == 20


@pytest.mark.parametrize(
    ("last_violence_on", "expected"),
    [
        (None, []),
        (datetime.date(2023, 3, 10), ["recent_violence"]),  # exactly two years before
        (datetime.date(2023, 3, 9), []),  # two years and a day before
        (datetime.date(2025, 3, 9), ["recent_violence"]),  # the day before
        (datetime.date(2025, 3, 10), ["recent_violence"]),  # the same day
    ],
)
def test_violence_in_the_two_years_before_the_offence(
    last_violence_on: datetime.date | None, expected: list[str]
) -> None:
    assert failed(last_violence_on=last_violence_on) == expected


def test_the_two_year_window_from_a_leap_day_offence() -> None:
    leap = datetime.date(2024, 2, 29)
    assert failed(offence_date=leap, last_violence_on=datetime.date(2022, 2, 28)) == [
        "recent_violence"
    ]
    assert failed(offence_date=leap, last_violence_on=datetime.date(2022, 2, 27)) == []


@pytest.mark.parametrize(
    ("level", "expected"),
    [("standard", []), ("medium", []), ("high", ["dash_risk"])],
)
def test_each_dash_level(level: str, expected: list[str]) -> None:
    assert failed(dash_risk=level) == expected


@pytest.mark.parametrize("offence", OffenceType.values)
def test_each_offence_type(offence: str) -> None:
    expected = [] if offence in CARA_DEFAULTS["offence_types"] else ["offence_type"]
    assert failed(offence_type=offence) == expected


@pytest.mark.parametrize(
    ("relationship", "expected"),
    [("current_partner", []), ("former_partner", []), ("other", ["relationship"])],
)
def test_victim_must_be_a_current_or_former_partner(relationship: str, expected: list[str]) -> None:
    assert failed(victim_relationship=relationship) == expected


@pytest.mark.parametrize(
    ("admission", "expected"),
    [("admitted", []), ("cps_overwhelming", []), ("not_admitted", ["admission"])],
)
def test_offence_admitted_or_cps_agrees(admission: str, expected: list[str]) -> None:
    assert failed(admission=admission) == expected


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"sex": "female"}, "sex"),
        ({"sex": "other"}, "sex"),
        ({"first_domestic_offence": False}, "first_domestic_offence"),
        ({"on_bail_or_order": True}, "bail_or_order"),
        ({"interpreter_needed": True}, "interpreter"),
        ({"appropriate_adult_needed": True}, "appropriate_adult"),
        ({"caution_offered": False}, "caution_offered"),
    ],
)
def test_each_yes_no_criterion(change: dict[str, Any], code: str) -> None:
    assert failed(**change) == [code]


def test_a_trial_can_switch_a_criterion_off() -> None:
    parameters = {**CARA_DEFAULTS, "dash_levels": [], "min_age": 16}
    facts = replace(ELIGIBLE, dash_risk="high", date_of_birth=datetime.date(2008, 1, 1))
    assert evaluate(facts, parameters) == []


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (VictimFacts(contacted=True, risk_raised=False, consent_given=True), []),
        (
            VictimFacts(contacted=False, risk_raised=False, consent_given=False),
            ["victim_contacted", "victim_consent"],
        ),
        (VictimFacts(contacted=True, risk_raised=True, consent_given=True), ["victim_risk"]),
        (VictimFacts(contacted=True, risk_raised=False, consent_given=False), ["victim_consent"]),
    ],
)
def test_victim_criteria(facts: VictimFacts, expected: list[str]) -> None:
    assert [f.code for f in evaluate_victim(facts, CARA_DEFAULTS)] == expected


FACTS = st.builds(
    CaseFacts,
    sex=st.sampled_from(Sex.values),
    date_of_birth=st.dates(datetime.date(1940, 1, 1), datetime.date(2012, 12, 31)),
    offence_date=st.dates(datetime.date(2018, 1, 1), datetime.date(2026, 12, 31)),
    offence_type=st.sampled_from(OffenceType.values),
    admission=st.sampled_from(Admission.values),
    victim_relationship=st.sampled_from(Relationship.values),
    first_domestic_offence=st.booleans(),
    last_violence_on=st.none() | st.dates(datetime.date(2010, 1, 1), datetime.date(2026, 12, 31)),
    dash_risk=st.sampled_from(DashRisk.values),
    on_bail_or_order=st.booleans(),
    interpreter_needed=st.booleans(),
    appropriate_adult_needed=st.booleans(),
    caution_offered=st.booleans(),
)


def oracle(f: CaseFacts) -> set[str]:
    """The CARA criteria written out independently, by day arithmetic."""
    codes = set()
    birthday_18 = f.date_of_birth.replace(
        year=f.date_of_birth.year + 18,
        day=28 if (f.date_of_birth.month, f.date_of_birth.day) == (2, 29) else f.date_of_birth.day,
    )
    if (f.date_of_birth.month, f.date_of_birth.day) == (2, 29):
        birthday_18 += datetime.timedelta(days=1)  # 1 March
    if f.sex != "male":
        codes.add("sex")
    if f.offence_date < birthday_18:
        codes.add("age")
    if f.victim_relationship == "other":
        codes.add("relationship")
    if f.offence_type == "other":
        codes.add("offence_type")
    if f.admission == "not_admitted":
        codes.add("admission")
    if not f.first_domestic_offence:
        codes.add("first_domestic_offence")
    if f.last_violence_on is not None:
        start = f.offence_date.replace(
            year=f.offence_date.year - 2,
            day=28 if (f.offence_date.month, f.offence_date.day) == (2, 29) else f.offence_date.day,
        )
        if f.last_violence_on >= start:
            codes.add("recent_violence")
    if f.dash_risk == "high":
        codes.add("dash_risk")
    for flag, code in [
        (f.on_bail_or_order, "bail_or_order"),
        (f.interpreter_needed, "interpreter"),
        (f.appropriate_adult_needed, "appropriate_adult"),
        (not f.caution_offered, "caution_offered"),
    ]:
        if flag:
            codes.add(code)
    return codes


@given(FACTS)
def test_the_rules_agree_with_an_independent_reading_of_the_criteria(facts: CaseFacts) -> None:
    failures = evaluate(facts, CARA_DEFAULTS)
    assert {f.code for f in failures} == oracle(facts)
    assert all(f.text.endswith(".") and len(f.text) > 20 for f in failures)
