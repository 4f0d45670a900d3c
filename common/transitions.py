"""The one shape of a state machine here: a table of the statuses each status may become.

Trials, cases, bookings and report runs each declare a Transitions table next to their
service; a status change asks the table with check(), which raises the machine's own refusal
(each says it in the trial's words). A table names every status of its enum, so a status added
later without its row fails at import, not in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Generic, TypeVar

S = TypeVar("S", bound=str)


class Transitions(Generic[S]):
    """The allowed status changes of one kind of record; anything else is refused."""

    def __init__(
        self,
        table: Mapping[S | None, Iterable[S]],
        *,
        statuses: type[Enum],
        initial: bool = False,
    ) -> None:
        self._table = {state: frozenset(targets) for state, targets in table.items()}
        expected: set[object] = {member.value for member in statuses}
        if initial:
            expected.add(None)  # "not yet recorded": the first status a record takes
        named = set(self._table) | {t for targets in self._table.values() for t in targets}
        if set(self._table) != expected or not named <= expected:
            missing = sorted(map(str, expected - set(self._table)))
            unknown = sorted(map(str, named - expected))
            raise ValueError(f"Transition table of {statuses.__name__}: {missing=} {unknown=}")

    def __getitem__(self, state: S | None) -> frozenset[S]:
        """Return the statuses a record in this status may become."""
        return self._table[state]

    def allows(self, state: S | None, to: S) -> bool:
        """Say whether a record in this status may become `to`."""
        return to in self._table[state]

    def check(self, state: S | None, to: S, refusal: Callable[[], Exception]) -> None:
        """Raise the machine's refusal unless the table allows the change."""
        if not self.allows(state, to):
            raise refusal()
