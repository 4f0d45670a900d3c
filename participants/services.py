"""Writes: screening, victim consent and its withdrawal, enrolment (which randomises).

Each service runs in one transaction with its audit event; audit details hold trial IDs and codes,
never personal data. Double submissions are answered from the form's one-time token: replaying a
token returns what the first request made, and constraints catch any race the locks miss.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.crypto import person_key as make_person_key
from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.identifiers import normalise_pnc
from common.models import PoliceArea, User
from common.roles import Role, has_role
from common.services import audit_record
from participants.eligibility import CaseFacts, VictimFacts, age_on, evaluate, evaluate_victim
from participants.models import (
    ACTIVE_STATUSES,
    CaseStatus,
    Consent,
    ConsentDecision,
    Participant,
    Victim,
)
from participants.rule_sets import rule_set_current
from participants.validation import (
    InvalidInputError,
    consent_problems,
    normalise_custody_reference,
    screening_problems,
)
from trial.models import Trial, TrialStatus
from trial.services import allocation_claim, current_design

# Allowed status changes of a case; None is "not yet recorded".
TRANSITIONS: dict[str | None, set[str]] = {
    None: {CaseStatus.SCREENED, CaseStatus.INELIGIBLE},
    CaseStatus.SCREENED: {CaseStatus.CONSENTED, CaseStatus.DECLINED, CaseStatus.INELIGIBLE},
    CaseStatus.CONSENTED: {CaseStatus.ENROLLED, CaseStatus.DECLINED},
    CaseStatus.INELIGIBLE: set(),
    CaseStatus.DECLINED: set(),
    # Enrolled is final: a withdrawal of consent keeps the participant in the analysis.
    CaseStatus.ENROLLED: set(),
}
OFFENDER_PERSONAL = (
    "given_name",
    "family_name",
    "date_of_birth",
    "pnc_id",
    "phone",
    "email",
    "address",
    "support_needs",
)
VICTIM_PERSONAL = ("given_name", "family_name", "phone", "email", "address", "risk_details")


@dataclass(frozen=True)
class ScreeningInput:
    """Everything the screening form records."""

    given_name: str
    family_name: str
    date_of_birth: datetime.date
    sex: str
    pnc_id: str
    custody_reference: str
    interpreter_needed: bool
    appropriate_adult_needed: bool
    offence_type: str
    offence_date: datetime.date
    arrest_date: datetime.date
    admission: str
    first_domestic_offence: bool
    last_violence_on: datetime.date | None
    dash_risk: str
    on_bail_or_order: bool
    victim_relationship: str
    caution_offered: bool
    phone: str = ""
    email: str = ""
    address: str = ""
    support_needs: str = ""


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


def _check_transition(participant: Participant, to_status: str) -> None:
    current = participant.status or None
    if to_status not in TRANSITIONS[current]:
        label = CaseStatus(current).label.lower() if current else "new"
        raise NotAllowedError(
            f"{participant.pseudonym} is {label}: it cannot become "
            f"{CaseStatus(to_status).label.lower()}."
        )


def _minimise(participant: Participant) -> None:
    """Forget the personal data of a case that will never be enrolled (data minimisation)."""
    for field in OFFENDER_PERSONAL:
        setattr(participant, field, None)


def _check_may_screen(by: User, police_area: PoliceArea) -> None:
    if has_role(by, Role.TRIAL_MANAGER):
        return
    if not (has_role(by, Role.OFFICER) and by.police_area_id == police_area.pk):
        raise NotAllowedError(
            "You can record cases of your own police area only.", field="police_area"
        )


def _check_area_in_trial(trial: Trial, police_area: PoliceArea) -> None:
    areas = current_design(trial).strata_factors.get("area")
    if areas is not None and police_area.code not in areas:
        raise DomainError(
            f"{police_area.name} is not taking part in trial {trial.code}.", field="police_area"
        )


def screening_record(
    *,
    trial: Trial,
    police_area: PoliceArea,
    details: ScreeningInput,
    token: uuid.UUID,
    by: User,
    screened_at: datetime.datetime | None = None,
) -> Participant:
    """Record a screened case and its eligibility; a replayed token returns the same case.

    screened_at backdates the record when loading earlier cases (demo, imports).
    """
    replay = Participant.objects.filter(submission_token=token).first()
    if replay is not None:
        return replay
    today = timezone.localdate()
    problems = screening_problems(
        date_of_birth=details.date_of_birth,
        offence_date=details.offence_date,
        arrest_date=details.arrest_date,
        last_violence_on=details.last_violence_on,
        custody_reference=details.custody_reference,
        pnc_id=details.pnc_id,
        today=today,
    )
    if problems:
        raise InvalidInputError(problems)
    _check_may_screen(by, police_area)
    if trial.status != TrialStatus.RECRUITING:
        raise NotAllowedError(
            f"Trial {trial.code} is not recruiting: no new cases can be screened."
        )
    _check_area_in_trial(trial, police_area)
    pnc_id = normalise_pnc(details.pnc_id)
    key = make_person_key(pnc_id)
    try:
        with transaction.atomic():
            return _screen(trial, police_area, details, pnc_id, key, token, by, screened_at)
    except IntegrityError:
        # A concurrent request won: the same form (its token) or the same person (two tabs).
        replay = Participant.objects.filter(submission_token=token).first()
        if replay is not None:
            return replay
        _refuse_if_active(trial, key)
        raise


def _refuse_if_active(trial: Trial, key: str) -> None:
    active = (
        Participant.objects.filter(trial=trial, person_key=key, status__in=ACTIVE_STATUSES)
        .select_related("police_area")
        .first()
    )
    if active is not None:
        raise ConflictError(
            f"This person is already in trial {trial.code} as {active.pseudonym} "
            f"({active.police_area.name}, {active.get_status_display().lower()}).",
            field="pnc_id",
        )


def _screen(
    trial: Trial,
    police_area: PoliceArea,
    details: ScreeningInput,
    pnc_id: str,
    key: str,
    token: uuid.UUID,
    by: User,
    screened_at: datetime.datetime | None,
) -> Participant:
    # Locking the trial row numbers cases one at a time and lets the checks below see
    # everything committed before us.
    Trial.objects.select_for_update().get(pk=trial.pk)
    replay = Participant.objects.filter(submission_token=token).first()
    if replay is not None:
        return replay
    _refuse_if_active(trial, key)
    rule_set = rule_set_current(trial=trial, by=by)
    facts = CaseFacts(
        sex=details.sex,
        date_of_birth=details.date_of_birth,
        offence_date=details.offence_date,
        offence_type=details.offence_type,
        admission=details.admission,
        victim_relationship=details.victim_relationship,
        first_domestic_offence=details.first_domestic_offence,
        last_violence_on=details.last_violence_on,
        dash_risk=details.dash_risk,
        on_bail_or_order=details.on_bail_or_order,
        interpreter_needed=details.interpreter_needed,
        appropriate_adult_needed=details.appropriate_adult_needed,
        caution_offered=details.caution_offered,
    )
    failures = evaluate(facts, rule_set.parameters)
    number = (Participant.objects.filter(trial=trial).aggregate(n=Max("number"))["n"] or 0) + 1
    participant = Participant(
        trial=trial,
        number=number,
        pseudonym=f"{trial.code}-{number:04d}",
        police_area=police_area,
        custody_reference=normalise_custody_reference(details.custody_reference),
        submission_token=token,
        screened_at=screened_at or timezone.now(),
        screened_by=by,
        given_name=details.given_name.strip(),
        family_name=details.family_name.strip(),
        date_of_birth=details.date_of_birth,
        pnc_id=pnc_id,
        phone=details.phone.strip() or None,
        email=details.email.strip() or None,
        address=details.address.strip() or None,
        support_needs=details.support_needs.strip() or None,
        person_key=key,
        sex=details.sex,
        age_at_offence=age_on(details.date_of_birth, details.offence_date),
        interpreter_needed=details.interpreter_needed,
        appropriate_adult_needed=details.appropriate_adult_needed,
        offence_type=details.offence_type,
        offence_date=details.offence_date,
        arrest_date=details.arrest_date,
        admission=details.admission,
        first_domestic_offence=details.first_domestic_offence,
        last_violence_on=details.last_violence_on,
        dash_risk=details.dash_risk,
        on_bail_or_order=details.on_bail_or_order,
        victim_relationship=details.victim_relationship,
        caution_offered=details.caution_offered,
        rule_set=rule_set,
        eligible=not failures,
        failed_criteria=[f.as_dict() for f in failures],
    )
    to_status = CaseStatus.INELIGIBLE if failures else CaseStatus.SCREENED
    _check_transition(participant, to_status)
    participant.status = to_status
    if failures:
        _minimise(participant)
    participant.save(force_insert=True)
    audit_record(
        actor=by,
        action="participant.screen",
        obj=participant,
        trial=trial.code,
        participant=participant.pseudonym,
        eligible=not failures,
        failed=[f.code for f in failures],
        rule_set_version=rule_set.version,
    )
    return participant


def consent_record(
    *,
    participant: Participant,
    victim: VictimInput,
    consent: ConsentInput,
    token: uuid.UUID,
    by: User,
) -> Participant:
    """Record the victim's details, safety and consent, and what they mean for eligibility."""
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
        _check_transition(locked, to_status)
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
            _minimise(locked)
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
            _check_transition(locked, CaseStatus.DECLINED)
            locked.status = CaseStatus.DECLINED
            _minimise(locked)
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
        _check_transition(locked, CaseStatus.ENROLLED)
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


def personal_data_viewed(*, participant: Participant, by: User, what: str) -> None:
    """Record that a user looked at a case's personal data (what: a page name, no data)."""
    audit_record(
        actor=by,
        action="participant.view",
        obj=participant,
        participant=participant.pseudonym,
        page=what,
    )


def personal_data_listed(*, participants: Iterable[Participant], by: User, what: str) -> None:
    """Record that a user saw a list of cases' names (what: a page name); trial IDs only."""
    shown = sorted({p.pseudonym for p in participants})
    if shown:
        audit_record(
            actor=by,
            action="participant.view_list",
            object_type=Participant._meta.label,
            participants=shown,
            page=what,
        )
