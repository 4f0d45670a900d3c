"""Names people read for strata: "Basingstoke", not the stored "area: basingstoke"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from common.models import PoliceArea

# The factor whose values are police-area codes (participants.services.enrolment's strata).
AREA = "area"


def area_names(codes: Iterable[str]) -> dict[str, str]:
    """Return the names of the police areas with these codes."""
    return dict(PoliceArea.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _words(code: str) -> str:
    return code.replace("_", " ").replace("-", " ")


def stratum_label(values: Mapping[str, object], areas: Mapping[str, str]) -> str:
    """Name a stratum by its values: an area by its name, other factors as "Dash risk: medium"."""
    parts = []
    for factor, value in sorted(values.items()):
        text = str(value)
        if factor == AREA:
            parts.append(areas.get(text) or _words(text).title())
        else:
            parts.append(f"{_words(factor).capitalize()}: {_words(text)}")
    return ", ".join(parts) or "Whole trial"
