"""Group-sequential boundaries: Lan-DeMets alpha spending by recursive numerical integration.

Armitage, McPherson and Rowe (1969): the score process B(t) = Z(t) * sqrt(t) has independent
normal increments, so the density of a trial still running at look k is the previous look's
density, truncated to its continuation region, convolved with a normal of the information
added. Each look's two-sided boundary c_k spends exactly alpha(t_k) - alpha(t_{k-1}).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

SPENDING = ("obrien_fleming", "pocock")
GRID = 1201  # points of Simpson's rule per look: boundaries to about 1e-6


def spent(*, spending: str, t: float, alpha: float = 0.05) -> float:
    """Return the two-sided alpha spent by information fraction t (Lan and DeMets 1983)."""
    t = min(max(t, 0.0), 1.0)
    if t == 0.0:
        return 0.0
    if spending == "obrien_fleming":
        # Each side spends alpha/2 by the one-sided function, as gsDesign and ldbounds do.
        side = 2 - 2 * stats.norm.cdf(stats.norm.ppf(1 - alpha / 4) / math.sqrt(t))
        return float(2 * side)
    if spending == "pocock":
        return float(alpha * math.log(1 + (math.e - 1) * t))
    raise ValueError(f"Spending is one of {', '.join(SPENDING)}, not {spending!r}.")


def _simpson(n: int) -> npt.NDArray[np.float64]:
    weights = np.ones(n)
    weights[1:-1:2], weights[2:-1:2] = 4, 2
    return weights / 3


@dataclass(frozen=True)
class _Continuing:
    """The density (score scale) of a trial that has not stopped by the last look."""

    grid: npt.NDArray[np.float64]
    density: npt.NDArray[np.float64]
    t: float

    @classmethod
    def first(cls, *, t: float, c: float) -> _Continuing:
        grid = np.linspace(-c * math.sqrt(t), c * math.sqrt(t), GRID)
        return cls(grid, stats.norm.pdf(grid / math.sqrt(t)) / math.sqrt(t), t)

    def _weighted(self) -> npt.NDArray[np.float64]:
        return _simpson(len(self.grid)) * (self.grid[1] - self.grid[0]) * self.density

    def exit(self, *, t: float, c: float) -> float:
        """Probability of stopping at a look at t with boundary +-c, from here."""
        sd, edge = math.sqrt(t - self.t), c * math.sqrt(t)
        cross = stats.norm.sf((edge - self.grid) / sd) + stats.norm.cdf((-edge - self.grid) / sd)
        return float(np.sum(self._weighted() * cross))

    def advance(self, *, t: float, c: float) -> _Continuing:
        """The density after a look at t with boundary +-c, of trials that went on."""
        sd = math.sqrt(t - self.t)
        grid = np.linspace(-c * math.sqrt(t), c * math.sqrt(t), GRID)
        kernel = stats.norm.pdf((grid[:, None] - self.grid[None, :]) / sd) / sd
        return _Continuing(grid, np.asarray(kernel @ self._weighted()), t)


def boundaries(
    *, fractions: Sequence[float], spending: str = "obrien_fleming", alpha: float = 0.05
) -> list[float]:
    """Return the two-sided z boundary of each look at these information fractions."""
    ts = _fractions(fractions)
    found: list[float] = []
    state: _Continuing | None = None
    for t in ts:
        previous = state.t if state is not None else 0.0
        target = spent(spending=spending, t=t, alpha=alpha) - spent(
            spending=spending, t=previous, alpha=alpha
        )
        if state is None:
            c = float(stats.norm.isf(target / 2))
            state = _Continuing.first(t=t, c=c)
        else:
            c = _solve_look(state, t=t, target=target)
            state = state.advance(t=t, c=c)
        found.append(c)
    return found


def _solve_look(state: _Continuing, *, t: float, target: float) -> float:
    return float(optimize.brentq(lambda c: state.exit(t=t, c=c) - target, 0.01, 20, xtol=1e-10))


def shaped_boundaries(
    *, fractions: Sequence[float], shape: Callable[[float], float], alpha: float = 0.05
) -> list[float]:
    """Return boundaries C * shape(t_k), C spending alpha in all (classical designs)."""
    ts = _fractions(fractions)

    def excess(scale: float) -> float:
        return crossing_probability(fractions=ts, bounds=[scale * shape(t) for t in ts]) - alpha

    scale = float(optimize.brentq(excess, 0.5, 10, xtol=1e-10))
    return [scale * shape(t) for t in ts]


def crossing_probability(*, fractions: Sequence[float], bounds: Sequence[float]) -> float:
    """Return the probability, with no effect, of crossing some look's +-bound."""
    ts = _fractions(fractions)
    if len(bounds) != len(ts):
        raise ValueError("One boundary per look.")
    total = 2 * float(stats.norm.sf(bounds[0]))
    state = _Continuing.first(t=ts[0], c=bounds[0])
    for t, c in zip(ts[1:], bounds[1:], strict=True):
        total += state.exit(t=t, c=c)
        state = state.advance(t=t, c=c)
    return total


def _fractions(fractions: Sequence[float]) -> list[float]:
    ts = [float(t) for t in fractions]
    rising = all(a < b for a, b in itertools.pairwise(ts))
    if not ts or not rising or not all(0 < t <= 1 for t in ts):
        raise ValueError("Information fractions increase strictly within (0, 1].")
    return ts
