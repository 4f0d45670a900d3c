"""The plan's sample size and power, against hand calculations and the normal approximation."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from scipy import stats

from plans.power import achieved_power, effect_size_rates, n_per_arm, power_for

Z = NormalDist().inv_cdf


def test_a_half_sd_effect_needs_64_men_a_arm_by_t_test() -> None:
    # Textbook value (Cohen 1988, table 2.4.1: n = 64 for d = 0.5, alpha .05, power .80).
    n = n_per_arm(basis="means", effect_size=0.5, alpha=0.05, power=0.8, sided="two")
    assert n == pytest.approx(63.77, abs=0.01)
    # The normal approximation 2 (z_.975 + z_.8)^2 / d^2 is just under one man less.
    normal = 2 * (Z(0.975) + Z(0.8)) ** 2 / 0.5**2
    assert normal == pytest.approx(62.79, abs=0.01)
    assert 0 < n - normal < 1.2


def test_the_t_test_power_matches_the_noncentral_t_by_hand() -> None:
    per_arm, d = 150, 0.35
    df, nc = 2 * per_arm - 2, d * math.sqrt(per_arm / 2)
    crit = stats.t.ppf(0.975, df)
    by_hand = 1 - stats.nct.cdf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)
    ours = achieved_power(basis="means", effect_size=d, alpha=0.05, per_arm=per_arm, sided="two")
    assert ours == pytest.approx(by_hand, abs=1e-6)


def test_rates_use_cohens_h_and_the_normal_formula() -> None:
    h = 2 * math.asin(math.sqrt(0.30)) - 2 * math.asin(math.sqrt(0.20))
    assert effect_size_rates(control_rate=0.30, intervention_rate=0.20) == pytest.approx(h)
    # Per arm with equal arms: each arm adds 1/n to the variance of the difference of h.
    by_hand = 2 * (Z(0.975) + Z(0.8)) ** 2 / h**2
    n = n_per_arm(basis="rates", effect_size=h, alpha=0.05, power=0.8, sided="two")
    assert n == pytest.approx(by_hand, rel=1e-3)
    result = power_for(
        basis="rates",
        alpha=0.05,
        power_target=0.8,
        planned_n=300,
        control_rate=0.30,
        intervention_rate=0.20,
    )
    assert result.n_per_arm == math.ceil(by_hand)
    # Power at 150 a arm, by hand (both tails of the normal test).
    shift = h * math.sqrt(150 / 2)
    power = NormalDist().cdf(shift - Z(0.975)) + NormalDist().cdf(-shift - Z(0.975))
    assert result.achieved_power == pytest.approx(power, abs=1e-6)
    assert "fewer than the" in result.notes[0]


def test_a_one_sided_test_needs_fewer_men() -> None:
    two = n_per_arm(basis="rates", effect_size=0.3, alpha=0.05, power=0.8, sided="two")
    one = n_per_arm(basis="rates", effect_size=0.3, alpha=0.05, power=0.8, sided="one")
    assert one == pytest.approx(2 * (Z(0.95) + Z(0.8)) ** 2 / 0.3**2, rel=1e-3)
    assert one < two


def test_no_effect_is_refused_rather_than_answered() -> None:
    with pytest.raises(ValueError, match="effect of 0"):
        n_per_arm(basis="means", effect_size=0.0, alpha=0.05, power=0.8, sided="two")
