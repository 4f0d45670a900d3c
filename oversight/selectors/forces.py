"""Which police forces take part in a trial, and their names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from common.exceptions import DomainError
from common.models import Organisation, PoliceArea
from trial.selectors import current_design

if TYPE_CHECKING:
    from trial.models import Trial

NO_FORCE = "No force recorded"


def forces_of(trial: Trial) -> set[int]:
    """Return the forces whose areas the trial's design randomises in (empty if unstratified)."""
    try:
        codes = current_design(trial).strata_factors.get("area") or []
    except DomainError:
        return set()
    return set(PoliceArea.objects.filter(code__in=codes).values_list("force_id", flat=True))


def force_names(ids: Iterable[int | None]) -> dict[int | None, str]:
    """Return the names of forces by id (None: cases of no known force, e.g. imported)."""
    wanted = {pk for pk in ids if pk is not None}
    names: dict[int | None, str] = dict(
        Organisation.objects.filter(pk__in=wanted).values_list("pk", "name")
    )
    names[None] = NO_FORCE
    return names


def by_name(ids: Iterable[int | None], names: dict[int | None, str]) -> list[int | None]:
    """Order force ids by name, any unknown force last."""
    return sorted(set(ids), key=lambda pk: (pk is None, names.get(pk, "")))
