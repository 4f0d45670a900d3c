"""The plan's own rules: each answer checked, every refusal naming its field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from common.exceptions import DomainError
from plans.models import Outcome, PowerBasis, Sensitivity, Sided, Spending
from plans.power import power_for

# Fields a version holds; anything left out is carried over from the version before.
PLAN_FIELDS = (
    "primary_outcome",
    "secondary_outcomes",
    "per_protocol",
    "cace",
    "alpha",
    "sided",
    "planned_n",
    "power_basis",
    "control_mean",
    "intervention_mean",
    "sd",
    "control_rate",
    "intervention_rate",
    "power_target",
    "interim_looks",
    "spending",
    "min_per_arm",
    "sensitivity",
    "registration_id",
    "registration_url",
    "funder",
    "protocol_version",
    "data_sharing",
)
DEFAULTS: dict[str, Any] = {
    "secondary_outcomes": [],
    "per_protocol": True,
    "cace": True,
    "alpha": 0.05,
    "sided": Sided.TWO.value,
    "power_target": 0.8,
    "interim_looks": 0,
    "spending": Spending.NONE.value,
    "min_per_arm": 10,
    "sensitivity": [],
    "control_mean": None,
    "intervention_mean": None,
    "sd": None,
    "control_rate": None,
    "intervention_rate": None,
    "registration_id": "",
    "registration_url": "",
    "funder": "",
    "protocol_version": "",
    "data_sharing": "",
}
ARM_WORDS = {
    "control_mean": "control",
    "intervention_mean": "workshop",
    "control_rate": "control",
    "intervention_rate": "workshop",
}
NUMBERS = ("alpha", "power_target", *ARM_WORDS, "sd")
TEXT_LIMITS = {"registration_id": 40, "funder": 200, "protocol_version": 40}


class PlanInvalidError(DomainError):
    """Several answers of a plan were refused; each message belongs to its field."""

    def __init__(self, errors: Mapping[str | None, str]) -> None:
        first = next(iter(errors.values()))
        super().__init__(first, field=next(iter(errors)), code="invalid")
        self.errors: dict[str | None, str] = dict(errors)

    def messages_by_field(self) -> dict[str | None, str]:
        return dict(self.errors)


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _choices(values: Any, allowed: list[str]) -> list[str] | None:
    if not isinstance(values, list | tuple) or any(v not in allowed for v in values):
        return None
    return list(values)


def plan_check(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the plan's values made clean, or raise PlanInvalidError naming each refused field."""
    unknown = sorted(set(values) - set(PLAN_FIELDS))
    if unknown:
        raise PlanInvalidError({unknown[0]: f"{unknown[0]} is not part of an analysis plan."})
    clean: dict[str, Any] = {**DEFAULTS, **values}
    errors: dict[str | None, str] = {}

    if clean.get("primary_outcome") not in Outcome.values:
        errors["primary_outcome"] = "Choose the one primary outcome."
    secondary = _choices(clean["secondary_outcomes"], Outcome.values)
    if secondary is None or len(set(secondary)) != len(secondary):
        errors["secondary_outcomes"] = (
            "List each secondary outcome once, from the report's outcomes."
        )
    elif clean.get("primary_outcome") in secondary:
        errors["secondary_outcomes"] = "The primary outcome cannot also be a secondary outcome."
    else:
        clean["secondary_outcomes"] = secondary
    sensitivity = _choices(clean["sensitivity"], Sensitivity.values)
    if sensitivity is None or len(set(sensitivity)) != len(sensitivity):
        errors["sensitivity"] = "Choose each sensitivity analysis once, from those offered."
    else:
        clean["sensitivity"] = sensitivity

    for name in NUMBERS:
        clean[name] = _number(clean[name])
    alpha = clean["alpha"]
    if alpha is None or math.isnan(alpha) or not 0 < alpha < 0.5:
        errors["alpha"] = (
            "Enter the significance level (alpha) as a number above 0 and below 0.5, e.g. 0.05."
        )
    power = clean["power_target"]
    if power is None or math.isnan(power) or not 0.5 <= power < 1:
        errors["power_target"] = "Enter the target power as a number from 0.5 to below 1, e.g. 0.8."
    if clean["sided"] not in Sided.values:
        errors["sided"] = "Choose whether the test is two-sided or one-sided."

    for name, low, high, words in (
        (
            "planned_n",
            4,
            1_000_000,
            "Enter the planned sample size as a whole number of men, at least 4.",
        ),
        ("interim_looks", 0, 10, "Enter the interim looks as a whole number from 0 to 10."),
        (
            "min_per_arm",
            2,
            10_000,
            "Enter the minimum analysed per arm as a whole number, at least 2.",
        ),
    ):
        value = clean.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = words
    if clean["spending"] not in Spending.values:
        errors["spending"] = "Choose the alpha spending function."
    elif "interim_looks" not in errors:
        if clean["interim_looks"] and clean["spending"] == Spending.NONE:
            errors["spending"] = "Choose O'Brien-Fleming or Pocock: the plan has interim looks."
        if not clean["interim_looks"] and clean["spending"] != Spending.NONE:
            errors["spending"] = "Choose no spending function, or plan at least one interim look."

    _power_inputs_check(clean, errors)
    for name, limit in TEXT_LIMITS.items():
        clean[name] = str(clean[name] or "").strip()
        if len(clean[name]) > limit:
            errors[name] = f"Shorten the {name.replace('_', ' ')} to {limit} characters."
    clean["data_sharing"] = str(clean["data_sharing"] or "").strip()
    clean["registration_url"] = str(clean["registration_url"] or "").strip()
    if clean["registration_url"]:
        try:
            URLValidator(schemes=["https", "http"])(clean["registration_url"])
        except ValidationError:
            errors["registration_url"] = (
                "Enter the registration URL as a web address, e.g. https://www.isrctn.com/ISRCTN12345678."
            )
    clean["per_protocol"], clean["cace"] = bool(clean["per_protocol"]), bool(clean["cace"])
    if errors:
        raise PlanInvalidError(errors)
    return clean


def _power_inputs_check(clean: dict[str, Any], errors: dict[str | None, str]) -> None:
    """Check the power calculation's inputs and that a sample size can be solved from them."""
    basis = clean.get("power_basis")
    if basis == PowerBasis.MEANS:
        for name in ("control_mean", "intervention_mean"):
            if clean[name] is None or math.isnan(clean[name]):
                errors[name] = f"Enter the expected {ARM_WORDS[name]} arm mean as a number."
        sd = clean["sd"]
        if sd is None or math.isnan(sd) or sd <= 0:
            errors["sd"] = "Enter the expected standard deviation as a number above 0."
        clean["control_rate"] = clean["intervention_rate"] = None
        keys: tuple[str, ...] = ("control_mean", "intervention_mean", "sd")
    elif basis == PowerBasis.RATES:
        for name in ("control_rate", "intervention_rate"):
            rate = clean[name]
            if rate is None or math.isnan(rate) or not 0 < rate < 1:
                errors[name] = (
                    f"Enter the expected {ARM_WORDS[name]} arm rate as a proportion "
                    "between 0 and 1, e.g. 0.3."
                )
        clean["control_mean"] = clean["intervention_mean"] = clean["sd"] = None
        keys = ("control_rate", "intervention_rate")
    else:
        errors["power_basis"] = "Choose what the sample size was calculated on: means or rates."
        return
    if errors.keys() & {*keys, "alpha", "power_target", "sided"}:
        return
    inputs = {k: clean[k] for k in keys}
    if inputs[keys[0]] == inputs[keys[1]]:
        errors[keys[1]] = (
            "Enter an expected difference between the arms: an effect of 0 needs no trial."
        )
        return
    try:
        power_for(
            basis=basis,
            alpha=clean["alpha"],
            power_target=clean["power_target"],
            sided=clean["sided"],
            **inputs,
        )
    except ValueError as error:
        errors[keys[1]] = str(error)
