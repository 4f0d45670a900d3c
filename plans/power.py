"""The plan's sample size and power, computed with statsmodels' power module."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

MEANS, RATES = "means", "rates"


@dataclass(frozen=True)
class PowerResult:
    basis: str  # "means" (t-test on Cohen's d) or "rates" (normal test on Cohen's h)
    effect_size: float  # standardised: d for means, h for rates
    n_per_arm_required: float  # unrounded, as solved
    n_per_arm: int  # rounded up: the men each arm needs
    achieved_power: float | None  # at the planned sample size, if one is given
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Return the result as plain JSON-able values (for the report)."""
        return {
            "basis": self.basis,
            "effect_size": self.effect_size,
            "n_per_arm_required": self.n_per_arm_required,
            "n_per_arm": self.n_per_arm,
            "achieved_power": self.achieved_power,
            "notes": list(self.notes),
        }


def _alternative(sided: str) -> str:
    # One-sided: the plan expects the workshops to reduce the outcome (effect sizes are taken
    # as control minus intervention, so "larger" is the hoped-for direction).
    return "two-sided" if sided == "two" else "larger"


def effect_size_means(*, control_mean: float, intervention_mean: float, sd: float) -> float:
    """Return Cohen's d: control minus intervention mean, in standard deviations."""
    if sd <= 0:
        raise ValueError("The standard deviation must be above 0.")
    return (control_mean - intervention_mean) / sd


def effect_size_rates(*, control_rate: float, intervention_rate: float) -> float:
    """Return Cohen's h for two proportions: control minus intervention, arcsine scale."""
    for rate in (control_rate, intervention_rate):
        if not 0 < rate < 1:
            raise ValueError("Rates must lie between 0 and 1.")
    return float(proportion_effectsize(control_rate, intervention_rate))


def _solver(basis: str) -> TTestIndPower | NormalIndPower:
    return TTestIndPower() if basis == MEANS else NormalIndPower()


def n_per_arm(*, basis: str, effect_size: float, alpha: float, power: float, sided: str) -> float:
    """Return the men each arm needs (unrounded) to detect the effect with the power asked."""
    if effect_size == 0:
        raise ValueError("An effect of 0 cannot be detected with any sample size.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # solver convergence chatter; the result is checked
        n = _solver(basis).solve_power(
            effect_size=abs(effect_size),
            nobs1=None,
            alpha=alpha,
            power=power,
            ratio=1.0,
            alternative=_alternative(sided),
        )
    value = float(n[0] if hasattr(n, "__len__") else n)
    if not math.isfinite(value) or value <= 0:
        raise ValueError("The sample size could not be solved for these inputs.")
    return value


def achieved_power(
    *, basis: str, effect_size: float, alpha: float, per_arm: float, sided: str
) -> float:
    """Return the power of a trial with this many men per arm to detect the effect."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = _solver(basis).power(
            effect_size=abs(effect_size),
            nobs1=per_arm,
            alpha=alpha,
            ratio=1.0,
            alternative=_alternative(sided),
        )
    return float(value)


def power_for(
    *,
    basis: str,
    alpha: float,
    power_target: float,
    sided: str = "two",
    planned_n: int | None = None,
    control_mean: float | None = None,
    intervention_mean: float | None = None,
    sd: float | None = None,
    control_rate: float | None = None,
    intervention_rate: float | None = None,
) -> PowerResult:
    """Return the sample size each arm needs and the power of the planned sample size."""
    if basis == MEANS:
        assert control_mean is not None
        assert intervention_mean is not None
        assert sd is not None
        effect = effect_size_means(
            control_mean=control_mean, intervention_mean=intervention_mean, sd=sd
        )
    else:
        assert control_rate is not None
        assert intervention_rate is not None
        effect = effect_size_rates(control_rate=control_rate, intervention_rate=intervention_rate)
    notes = []
    if effect < 0:
        notes.append("The expected effect is an increase in the workshop arm.")
    required = n_per_arm(
        basis=basis, effect_size=effect, alpha=alpha, power=power_target, sided=sided
    )
    achieved = None
    if planned_n:
        per_arm = planned_n / 2
        achieved = achieved_power(
            basis=basis, effect_size=effect, alpha=alpha, per_arm=per_arm, sided=sided
        )
        if per_arm < required:
            notes.append(
                f"The planned {planned_n} men give {per_arm:g} per arm, fewer than the "
                f"{math.ceil(required)} the target power needs."
            )
    return PowerResult(
        basis=basis,
        effect_size=effect,
        n_per_arm_required=required,
        n_per_arm=math.ceil(required),
        achieved_power=achieved,
        notes=notes,
    )
