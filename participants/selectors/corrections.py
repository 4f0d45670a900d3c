"""Whether a case's screening answers may still be corrected, and the corrections made."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from participants.models import CaseStatus, Consent, Participant, ScreeningCorrection
from participants.selectors.cases import AnyUser, case_get, known_visible
from trial.selectors import TrialStatus


def correction_window_ends(participant: Participant) -> datetime.date:
    """Return the last day the case's screening answers may be corrected."""
    screened_on = timezone.localdate(participant.screened_at)
    return screened_on + datetime.timedelta(days=participant.trial.screening_correction_days)


def screening_correction_refusal(*, participant: Participant, today: datetime.date) -> str | None:
    """Return why the case's screening answers cannot be corrected now, or None if they can."""
    code = participant.pseudonym
    if participant.status == CaseStatus.ENROLLED:
        return f"{code} is enrolled and randomised: its screening answers can no longer change."
    if participant.status == CaseStatus.DECLINED:
        return f"The victim did not agree: {code} is closed whatever the screening answers."
    if (
        participant.status == CaseStatus.INELIGIBLE
        and Consent.objects.filter(participant=participant).exists()
    ):
        # The victim's answers closed it; correcting the offender's cannot reopen it.
        return f"{code} was closed after the victim's answers were recorded: it cannot be reopened."
    if participant.trial.status != TrialStatus.RECRUITING:
        return f"Trial {participant.trial.code} is not recruiting: its cases cannot change."
    ends = correction_window_ends(participant)
    if today > ends:
        return (
            f"Screening answers can be corrected for {participant.trial.screening_correction_days}"
            f" days after screening; for {code} that ended on {ends:%d/%m/%Y}."
        )
    return None


def screening_corrections(
    *, user: AnyUser, participant: Participant
) -> QuerySet[ScreeningCorrection]:
    """Return the corrections of a case the user may open, earliest first (404 otherwise)."""
    visible = (
        participant if known_visible(user, participant) else case_get(user=user, pk=participant.pk)
    )
    return ScreeningCorrection.objects.filter(participant=visible).select_related("corrected_by")
