"""CARA's eligibility rules (design.md), the parameters every new trial starts from."""

from __future__ import annotations

from typing import Any

CARA_DEFAULTS: dict[str, Any] = {
    "sexes": ["male"],
    "min_age": 18,
    "relationships": ["current_partner", "former_partner"],
    "offence_types": [
        "common_assault",
        "criminal_damage",
        "harassment",
        "threatening_behaviour",
        "domestic_theft",
    ],
    "admissions": ["admitted", "cps_overwhelming"],
    "require_first_domestic_offence": True,
    "violence_lookback_years": 2,
    "dash_levels": ["standard", "medium"],
    "exclude_bail_or_order": True,
    "exclude_interpreter": True,
    "exclude_appropriate_adult": True,
    "require_caution_offered": True,
    "require_victim_contacted": True,
    "exclude_victim_risk": True,
    "require_victim_consent": True,
}
