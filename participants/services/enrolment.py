"""Enrolment: an eligible, consented case is randomised by the trial, in one transaction."""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from participants.eligibility import age_on
from participants.models import CaseStatus, Consent, ConsentDecision, Participant
from participants.selectors.cases import case_check
from participants.services.case_status import check_transition
from trial.selectors import current_design
from trial.services import allocation_claim


def strata_of(participant: Participant, factors: list[str]) -> dict[str, str]:
    """Return the participant's value of each stratification factor the design names."""
    values = {
        "area": participant.police_area.code,
        "dash_risk": participant.dash_risk,
        "offence_type": participant.offence_type,
    }
    return {factor: values.get(factor, "") for factor in factors}


def participant_enrol(
    *,
    participant: Participant,
    caution_given_on: datetime.date,
    token: uuid.UUID,
    by: User | None,
    randomised_on: datetime.date | None = None,
) -> Participant:
    """Enrol an eligible, consented case and randomise it, in one transaction."""
    case_check(user=by, participant=participant)
    today = randomised_on or timezone.localdate()
    with transaction.atomic():
        locked = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("trial", "police_area")
            .get(pk=participant.pk)
        )
        if locked.allocation_id is not None:
            if locked.enrol_token == token:
                return locked
            raise ConflictError(
                f"{locked.pseudonym} was already enrolled and randomised "
                f"on {timezone.localtime(locked.enrolled_at):%d/%m/%Y}."
            )
        check_transition(locked, CaseStatus.ENROLLED)
        consent = Consent.objects.filter(participant=locked).first()
        if consent is None or consent.decision != ConsentDecision.GIVEN or consent.withdrawn_on:
            raise NotAllowedError(f"The victim's consent for {locked.pseudonym} is not in place.")
        if not locked.eligible:
            raise NotAllowedError(f"{locked.pseudonym} is not eligible.")
        if caution_given_on > today:
            raise DomainError("The caution date is in the future.", field="caution_given_on")
        if caution_given_on < locked.arrest_date:
            raise DomainError("The caution date is before the arrest.", field="caution_given_on")
        trial = locked.trial
        factors = list(current_design(trial).strata_factors)
        allocation = allocation_claim(
            trial=trial,
            participant_key=locked.pseudonym,
            person_key=locked.person_key,
            strata=strata_of(locked, factors),
            by=by,
            randomised_on=randomised_on,
        )
        assert locked.date_of_birth is not None  # kept for every active case (constraint)
        ends = caution_given_on + datetime.timedelta(weeks=trial.compliance_weeks)
        locked.allocation = allocation
        locked.status = CaseStatus.ENROLLED
        locked.enrol_token = token
        locked.enrolled_at = timezone.now()
        locked.enrolled_by = by if by is not None and by.pk else None
        locked.age_at_randomisation = age_on(locked.date_of_birth, allocation.randomised_on)
        locked.caution_given_on = caution_given_on
        locked.compliance_ends_on = ends
        locked.workshop_deadline = ends if allocation.arm.is_intervention else None
        locked.save()
        audit_record(
            actor=by,
            action="participant.enrol",
            obj=locked,
            trial=trial.code,
            participant=locked.pseudonym,
            allocation=allocation.pk,
        )
    return locked
