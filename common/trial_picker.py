"""The trial a page shows: chosen in the navigation, remembered in the session.

A user with roles in several trials works in one at a time; list pages show the chosen trial's
rows and every page names it. The choice is checked against the memberships on every request,
so a revoked role drops out of the picker at once.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from common.memberships import trials_of

SESSION_KEY = "trial"
CACHE = "_current_trial"


def current_trial(request: HttpRequest) -> Any:
    """Return the trial the request's pages show (None for a user with no trial roles)."""
    if CACHE in request.__dict__:
        return request.__dict__[CACHE]
    trials = trials_of(request.user)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    trial = next((t for t in trials if t.pk == chosen), trials[0] if trials else None)
    request.__dict__[CACHE] = trial
    return trial


def trial_remember(request: HttpRequest, trial_id: int) -> bool:
    """Remember the user's choice of trial; say whether it is one of theirs."""
    if not any(t.pk == trial_id for t in trials_of(request.user)):
        return False
    request.session[SESSION_KEY] = trial_id
    request.__dict__.pop(CACHE, None)
    return True


def trial_shown(request: HttpRequest, trial: Any) -> None:
    """Make the trial of the object a page shows the current one, so the page names it.

    Opening a case of another of your trials (from a link or an e-mail) switches the picker to
    it, as a person would expect; the lists that follow show that trial too.
    """
    if trial is not None and getattr(current_trial(request), "pk", None) != trial.pk:
        trial_remember(request, trial.pk)
