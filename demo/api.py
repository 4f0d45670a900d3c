"""Demo service tokens: CARA-HANTS's custody suite, records system and the university's scripts.

New secrets each load, as the demo's passwords are: the old tokens are revoked (and stay listed,
revoked), so the trial manager's API tokens page shows both states and the printed secrets work.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from api.selectors import service_tokens_for
from api.services import token_create_service, token_revoke
from common.selectors import organisations, police_areas
from demo.people import HAMPSHIRE, UNIVERSITY

if TYPE_CHECKING:
    from common.models import User
    from trial.models import Trial

# name, organisation, police area code, scopes
DEMO_TOKENS = [
    ("Southampton custody suite", HAMPSHIRE, "southampton", ["screening:write", "enrolment:write"]),
    ("Niche RMS (Hampshire)", HAMPSHIRE, "", ["records:write"]),
    ("University R scripts", UNIVERSITY, "", ["snapshots:read", "reports:read", "dataset:read"]),
]


def demo_api_tokens_load(*, trial: Trial, manager: User) -> list[tuple[str, str]]:
    """Revoke the demo's earlier tokens and make new ones; return (name, secret) of each."""
    now = timezone.now()
    for token in service_tokens_for(trial=trial, by=manager).filter(revoked_at__isnull=True):
        token_revoke(token=token, by=manager)
    made = []
    for name, organisation, area, scopes in DEMO_TOKENS:
        _, secret = token_create_service(
            name=name,
            trial=trial,
            organisation=organisations().get(name=organisation),
            police_area=police_areas().get(code=area) if area else None,
            scopes=scopes,
            expires_at=now + datetime.timedelta(days=90),
            by=manager,
        )
        made.append((name, secret))
    return made
