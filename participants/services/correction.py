"""Correcting a case's screening answers before enrolment: eligibility worked out again."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from common.crypto import person_key as make_person_key
from common.exceptions import DomainError, NotAllowedError
from common.identifiers import normalise_pnc
from common.models import User
from common.services import audit_record
from participants.eligibility import age_on, evaluate
from participants.models import (
    OFFENDER_PERSONAL,
    VICTIM_PERSONAL,
    CaseStatus,
    Participant,
    ScreeningCorrection,
    Victim,
)
from participants.selectors.cases import case_check
from participants.selectors.corrections import screening_correction_refusal
from participants.services.case_status import CORRECTIONS, check_transition, minimise
from participants.services.screening import (
    SCREENING_FACTS,
    ScreeningInput,
    answers_apply,
    case_facts,
    refuse_if_active,
)
from participants.services.validation import (
    InvalidInputError,
    normalise_custody_reference,
    screening_problems,
)
from trial.selectors import trial_locked


def _fact(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _changes(case: Participant, details: ScreeningInput, pnc_id: str) -> list[str]:
    """Name the answers the correction changes (personal ones by name, never by value)."""
    typed: dict[str, Any] = {name: getattr(details, name) for name in SCREENING_FACTS}
    typed["custody_reference"] = normalise_custody_reference(details.custody_reference)
    changed = [name for name in SCREENING_FACTS if getattr(case, name) != typed[name]]
    if case.given_name is None:
        # The personal answers were removed when the case closed: only the age says whether
        # the date of birth typed again differs from the first one.
        if age_on(details.date_of_birth, details.offence_date) != case.age_at_offence:
            changed.append("date_of_birth")
        return changed
    for name in OFFENDER_PERSONAL:
        new = pnc_id if name == "pnc_id" else getattr(details, name)
        if isinstance(new, str):
            new = new.strip() or None
        if getattr(case, name) != new:
            changed.append(name)
    return changed


def screening_correct(
    *,
    participant: Participant,
    details: ScreeningInput,
    reason: str,
    by: User,
    token: uuid.UUID | None = None,
) -> Participant:
    """Correct a case's screening answers with a reason; eligibility is worked out again."""
    case_check(user=by, participant=participant)
    token = token or uuid.uuid4()
    if ScreeningCorrection.objects.filter(submission_token=token).exists():
        return Participant.objects.get(pk=participant.pk)
    problems = screening_problems(
        date_of_birth=details.date_of_birth,
        offence_date=details.offence_date,
        arrest_date=details.arrest_date,
        last_violence_on=details.last_violence_on,
        custody_reference=details.custody_reference,
        pnc_id=details.pnc_id,
        today=timezone.localdate(),
    )
    if not reason.strip():
        problems["reason"] = "Say why the answers are corrected."
    if problems:
        raise InvalidInputError(problems)
    pnc_id = normalise_pnc(details.pnc_id)
    with transaction.atomic():
        # The trial lock orders this with screenings of the same person (one active case each).
        trial_locked(pk=participant.trial_id)
        case = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("trial", "police_area", "rule_set")
            .get(pk=participant.pk)
        )
        if ScreeningCorrection.objects.filter(submission_token=token).exists():
            return case
        refusal = screening_correction_refusal(participant=case, today=timezone.localdate())
        if refusal:
            raise NotAllowedError(refusal)
        changed = _changes(case, details, pnc_id)
        if not changed:
            raise DomainError("Nothing was changed: correct at least one answer.")
        return _correct(case, details, pnc_id, changed, reason.strip(), by, token)


def _correct(
    case: Participant,
    details: ScreeningInput,
    pnc_id: str,
    changed: list[str],
    reason: str,
    by: User,
    token: uuid.UUID,
) -> Participant:
    before_status, before_eligible = case.status, case.eligible
    previous = {
        # The custody reference is erased with the trial's personal data: kept by name only.
        "facts": {
            name: _fact(getattr(case, name))
            for name in SCREENING_FACTS
            if name != "custody_reference"
        },
        "age_at_offence": case.age_at_offence,
        "eligible": case.eligible,
        "failed": [failure["code"] for failure in case.failed_criteria],
    }
    # The rules the case was screened under: a correction fixes answers, not rules.
    failures = evaluate(case_facts(details), case.rule_set.parameters)
    if failures:
        to_status = CaseStatus.INELIGIBLE
    elif case.status == CaseStatus.CONSENTED:
        to_status = CaseStatus.CONSENTED
    else:
        to_status = CaseStatus.SCREENED
    check_transition(case, to_status, CORRECTIONS)
    key = make_person_key(pnc_id)
    if to_status != CaseStatus.INELIGIBLE:
        refuse_if_active(case.trial, case.police_area, key, other_than=case.pk)
    answers_apply(case, details, pnc_id)
    case.person_key = key
    case.status = to_status
    case.eligible = not failures
    case.failed_criteria = [f.as_dict() for f in failures]
    if failures:
        minimise(case)
        victim = Victim.objects.filter(participant=case).first()
        if victim is not None:
            for field in VICTIM_PERSONAL:
                setattr(victim, field, None)
            victim.save()
    case.save()
    ScreeningCorrection.objects.create(
        participant=case,
        corrected_by=by,
        reason=reason,
        previous=previous,
        changed=changed,
        status_before=before_status,
        status_after=to_status,
        submission_token=token,
    )
    audit_record(
        actor=by,
        action="participant.screening_correct",
        obj=case,
        trial=case.trial.code,
        participant=case.pseudonym,
        changed=changed,
        status_before=before_status,
        status=to_status,
        eligible_before=before_eligible,
        eligible=not failures,
        failed=[f.code for f in failures],
    )
    return case
