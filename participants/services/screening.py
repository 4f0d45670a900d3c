"""Screening a case: the facts recorded, eligibility computed, a replayed form answered once."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.crypto import person_key as make_person_key
from common.exceptions import ConflictError, DomainError, NotAllowedError
from common.identifiers import normalise_pnc
from common.memberships import holds
from common.models import PoliceArea, User
from common.roles import Role
from common.services import audit_record
from participants.eligibility import CaseFacts, age_on, evaluate
from participants.models import ACTIVE_STATUSES, CaseStatus, Participant
from participants.services.case_status import check_transition, minimise
from participants.services.rule_sets import rule_set_current
from participants.services.validation import (
    InvalidInputError,
    normalise_custody_reference,
    screening_problems,
)
from trial.selectors import TrialStatus, current_design, trial_locked

if TYPE_CHECKING:
    from trial.models import Trial


# The answers that are not personal data: every case keeps them, and a correction keeps
# their earlier values.
SCREENING_FACTS = (
    "custody_reference",
    "sex",
    "interpreter_needed",
    "appropriate_adult_needed",
    "offence_type",
    "offence_date",
    "arrest_date",
    "admission",
    "first_domestic_offence",
    "last_violence_on",
    "dash_risk",
    "on_bail_or_order",
    "victim_relationship",
    "caution_offered",
)


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


def _check_may_screen(by: User, trial: Trial, police_area: PoliceArea) -> None:
    if holds(by, Role.TRIAL_MANAGER, trial):
        return
    if not holds(by, Role.OFFICER, trial):
        raise NotAllowedError(f"You are not a case officer of {trial.code}.", field="trial")
    if by.police_area_id != police_area.pk:
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
    _check_may_screen(by, trial, police_area)
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
        refuse_if_active(trial, police_area, key)
        raise


def refuse_if_active(
    trial: Trial, police_area: PoliceArea, key: str, *, other_than: int | None = None
) -> None:
    """Refuse a person already screening or enrolled in the trial (other than this case)."""
    same_person = Participant.objects.filter(
        trial=trial, person_key=key, status__in=ACTIVE_STATUSES
    ).select_related("police_area")
    if other_than is not None:
        same_person = same_person.exclude(pk=other_than)
    active = same_person.first()
    if active is None:
        return
    if active.police_area_id == police_area.pk:
        detail = f"({active.get_status_display().lower()})"
    else:
        # Officers never see another area's cases: the trial ID is enough for the trial manager.
        detail = "in another police area: ask your trial manager"
    raise ConflictError(
        f"This person is already in trial {trial.code} as {active.pseudonym} {detail}.",
        field="pnc_id",
    )


def case_facts(details: ScreeningInput) -> CaseFacts:
    """Return the facts the eligibility rules read from the answers."""
    return CaseFacts(
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


def answers_apply(participant: Participant, details: ScreeningInput, pnc_id: str) -> None:
    """Copy the screening answers onto the case (pnc_id normalised; person_key is the caller's)."""
    participant.custody_reference = normalise_custody_reference(details.custody_reference)
    participant.given_name = details.given_name.strip()
    participant.family_name = details.family_name.strip()
    participant.date_of_birth = details.date_of_birth
    participant.pnc_id = pnc_id
    participant.phone = details.phone.strip() or None
    participant.email = details.email.strip() or None
    participant.address = details.address.strip() or None
    participant.support_needs = details.support_needs.strip() or None
    participant.age_at_offence = age_on(details.date_of_birth, details.offence_date)
    for name in SCREENING_FACTS:
        if name != "custody_reference":
            setattr(participant, name, getattr(details, name))


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
    trial_locked(pk=trial.pk)
    replay = Participant.objects.filter(submission_token=token).first()
    if replay is not None:
        return replay
    refuse_if_active(trial, police_area, key)
    rule_set = rule_set_current(trial=trial, by=by)
    failures = evaluate(case_facts(details), rule_set.parameters)
    number = (Participant.objects.filter(trial=trial).aggregate(n=Max("number"))["n"] or 0) + 1
    participant = Participant(
        trial=trial,
        number=number,
        pseudonym=f"{trial.code}-{number:04d}",
        police_area=police_area,
        submission_token=token,
        screened_at=screened_at or timezone.now(),
        screened_by=by,
        person_key=key,
        rule_set=rule_set,
        eligible=not failures,
        failed_criteria=[f.as_dict() for f in failures],
    )
    answers_apply(participant, details, pnc_id)
    to_status = CaseStatus.INELIGIBLE if failures else CaseStatus.SCREENED
    check_transition(participant, to_status)
    participant.status = to_status
    if failures:
        minimise(participant)
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
