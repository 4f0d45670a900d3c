"""The victim's details, safety and consent, and a later withdrawal of consent."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.models import User
from common.services import audit_record
from participants.eligibility import VictimFacts, evaluate_victim
from participants.models import (
    VICTIM_PERSONAL,
    CaseStatus,
    Consent,
    ConsentDecision,
    Participant,
    Victim,
)
from participants.selectors.cases import case_check
from participants.services.case_status import check_transition, minimise
from participants.services.validation import InvalidInputError, consent_problems


@dataclass(frozen=True)
class VictimInput:
    """The victim's details and what they said, as the officer records them."""

    given_name: str
    family_name: str
    contacted: bool
    contacted_on: datetime.date | None
    risk_raised: bool
    risk_details: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class ConsentInput:
    decision: str
    decided_on: datetime.date
    method: str


def consent_record(
    *,
    participant: Participant,
    victim: VictimInput,
    consent: ConsentInput,
    token: uuid.UUID,
    by: User,
) -> Participant:
    """Record the victim's details, safety and consent, and what they mean for eligibility."""
    case_check(user=by, participant=participant)
    problems = consent_problems(
        contacted=victim.contacted,
        contacted_on=victim.contacted_on,
        risk_raised=victim.risk_raised,
        risk_details=victim.risk_details,
        decision_given=consent.decision == ConsentDecision.GIVEN,
        decided_on=consent.decided_on,
        offence_date=participant.offence_date,
        today=timezone.localdate(),
    )
    if problems:
        raise InvalidInputError(problems)
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        existing = Consent.objects.filter(participant=locked).first()
        if existing is not None:
            if existing.submission_token == token:
                return locked
            raise ConflictError(
                f"The victim's decision for {locked.pseudonym} is already recorded."
            )
        facts = VictimFacts(
            contacted=victim.contacted,
            risk_raised=victim.risk_raised,
            consent_given=consent.decision == ConsentDecision.GIVEN,
        )
        failures = evaluate_victim(facts, locked.rule_set.parameters)
        codes = {f.code for f in failures}
        if not failures:
            to_status = CaseStatus.CONSENTED
        elif codes == {"victim_consent"}:
            to_status = CaseStatus.DECLINED
        else:
            to_status = CaseStatus.INELIGIBLE
        check_transition(locked, to_status)
        record = Victim(
            participant=locked,
            given_name=victim.given_name.strip() or None,
            family_name=victim.family_name.strip() or None,
            phone=victim.phone.strip() or None,
            email=victim.email.strip() or None,
            address=victim.address.strip() or None,
            contacted=victim.contacted,
            contacted_on=victim.contacted_on,
            risk_raised=victim.risk_raised,
            risk_details=victim.risk_details.strip() or None,
        )
        if to_status != CaseStatus.CONSENTED:
            for field in VICTIM_PERSONAL:
                setattr(record, field, None)
            minimise(locked)
        record.save()
        Consent.objects.create(
            participant=locked,
            decision=consent.decision,
            decided_on=consent.decided_on,
            method=consent.method,
            submission_token=token,
            recorded_by=by,
        )
        locked.status = to_status
        locked.eligible = to_status != CaseStatus.INELIGIBLE and locked.eligible
        locked.failed_criteria = [*locked.failed_criteria, *(f.as_dict() for f in failures)]
        locked.save()
        audit_record(
            actor=by,
            action="participant.consent",
            obj=locked,
            participant=locked.pseudonym,
            decision=consent.decision,
            status=to_status,
            failed=sorted(codes),
        )
    return locked


def consent_withdraw(
    *, participant: Participant, withdrawn_on: datetime.date, reason: str, by: User
) -> Participant:
    """Record the victim's withdrawal of consent; an enrolled participant stays in the analysis."""
    case_check(user=by, participant=participant)
    if not reason.strip():
        raise DomainError("Give the reason for the withdrawal.", field="reason")
    if withdrawn_on > timezone.localdate():
        raise DomainError("The withdrawal date is in the future.", field="withdrawn_on")
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        consent = Consent.objects.filter(participant=locked).first()
        if consent is None or consent.decision != ConsentDecision.GIVEN:
            raise NotAllowedError(f"{locked.pseudonym} has no consent to withdraw.")
        if consent.withdrawn_on is not None:
            raise ConflictError(
                f"The withdrawal for {locked.pseudonym} was already recorded "
                f"({consent.withdrawn_on:%d/%m/%Y})."
            )
        if withdrawn_on < consent.decided_on:
            raise DomainError(
                "The withdrawal date is before consent was given.", field="withdrawn_on"
            )
        consent.withdrawn_on = withdrawn_on
        consent.withdrawal_reason = reason.strip()
        consent.withdrawal_recorded_by = by
        consent.save(update_fields=["withdrawn_on", "withdrawal_reason", "withdrawal_recorded_by"])
        if locked.status == CaseStatus.CONSENTED:  # not yet randomised: the case closes
            check_transition(locked, CaseStatus.DECLINED)
            locked.status = CaseStatus.DECLINED
            minimise(locked)
            victim = Victim.objects.filter(participant=locked).first()
            if victim is not None:
                for field in VICTIM_PERSONAL:
                    setattr(victim, field, None)
                victim.save()
            locked.save()
        audit_record(
            actor=by,
            action="participant.consent_withdraw",
            obj=locked,
            participant=locked.pseudonym,
            status=locked.status,
        )
    return locked
