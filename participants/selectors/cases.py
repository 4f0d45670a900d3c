"""Reads that depend on who is asking: row-level visibility is decided here, once.

Every rule is "in the trials where the user holds the role" (common/memberships.py), then:
- Case officers see the cases of their own police area (names, contact, victims).
- Trial managers see every area of their trials; views audit each look at personal data.
- Counsellors see enrolled participants of the intervention arm only (never the control arm,
  victims or the allocation list), and only those their provider books or queues: which those
  are is the workshops app's knowledge, passed in as `provider_scope`.
- Everyone else (researchers, reports) reads `pseudonymised_rows`: trial IDs, never names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from common.exceptions import NotAllowedError
from common.memberships import memberships_of, trial_q
from common.models import User
from common.roles import Role
from participants.models import OFFENDER_PERSONAL as PERSONAL_FIELDS
from participants.models import CaseStatus, Participant, Victim

if TYPE_CHECKING:
    from trial.models import Trial

AnyUser = User | AnonymousUser
NO_ROW = Q(pk__in=[])
# Set on a case that case_get read for a user: what made it visible to them. Later checks in the
# same request (the case page makes four) skip their query while nothing it depends on moved.
VISIBLE_TO = "_visible_to"


def _seen_by(user: AnyUser, participant: Participant) -> tuple[object, ...]:
    """What visibility is decided by: the user's roles and area, the case's trial and area."""
    roles = tuple(sorted((m.trial_id or 0, m.role) for m in memberships_of(user)))
    return (
        user.pk,
        user.is_superuser,
        getattr(user, "police_area_id", None),
        roles,
        participant.trial_id,
        participant.police_area_id,
    )


def known_visible(user: AnyUser, participant: Participant) -> bool:
    """Say whether case_get already read this case for this user, as it is now."""
    return bool(user.pk) and participant.__dict__.get(VISIBLE_TO) == _seen_by(user, participant)


def _officer_scope(user: AnyUser) -> Q:
    """An officer's cases: their area's, in the trials where they are an officer."""
    area = getattr(user, "police_area_id", None)
    if not area:
        return NO_ROW
    return trial_q(user, Role.OFFICER) & Q(police_area_id=area)


def cases_visible_to(user: AnyUser) -> QuerySet[Participant]:
    """Return the cases whose screening facts and personal data the user may open."""
    cases = Participant.objects.select_related("trial", "police_area", "allocation__arm")
    return cases.filter(trial_q(user, Role.TRIAL_MANAGER) | _officer_scope(user))


def case_check(*, user: AnyUser | None, participant: Participant) -> None:
    """Refuse a person who may not act on the case (None is a command or task)."""
    if user is None or known_visible(user, participant):
        return
    if not cases_visible_to(user).filter(pk=participant.pk).exists():
        raise NotAllowedError(
            f"{participant.pseudonym} is a case of another area or trial: you cannot change it."
        )


def case_get(*, user: AnyUser, pk: int) -> Participant:
    """Return one case the user may open, or raise Http404 (another area's case does not exist)."""
    try:
        case = cases_visible_to(user).get(pk=pk)
    except Participant.DoesNotExist:
        raise Http404("No such case in your area.") from None
    case.__dict__[VISIBLE_TO] = _seen_by(user, case)
    return case


def case_search(*, user: AnyUser, text: str) -> QuerySet[Participant]:
    """Return the visible cases whose trial ID or custody reference is the text (any case)."""
    term = "".join(text.split()).upper()
    return cases_visible_to(user).filter(pseudonym=term) | cases_visible_to(user).filter(
        custody_reference=term
    )


def victim_get(*, user: AnyUser, participant: Participant) -> Victim | None:
    """Return the case's victim if the user may see victims (same-area officers, managers)."""
    if not known_visible(user, participant) and (
        not cases_visible_to(user).filter(pk=participant.pk).exists()
    ):
        raise Http404("No such case in your area.")
    return Victim.objects.filter(participant=participant).first()


def intervention_participants(
    *, user: AnyUser, trial: Trial | None = None, provider_scope: Q = NO_ROW
) -> QuerySet[Participant]:
    """Return enrolled intervention-arm participants the user may see, earliest deadline first.

    Trial managers see every area of their trials; officers their own area; counsellors the
    men `provider_scope` keeps (booked with or queued for their provider) in their trials;
    others nobody. Rows carry name, contact details, support needs and the workshop deadline.
    Without a trial, every trial's the user works in.
    """
    cases = Participant.objects.select_related("trial", "police_area", "allocation__arm").filter(
        status=CaseStatus.ENROLLED, allocation__arm__is_intervention=True
    )
    if trial is not None:
        cases = cases.filter(trial=trial)
    counsellor = trial_q(user, Role.COUNSELLOR) & provider_scope
    visible = cases.filter(trial_q(user, Role.TRIAL_MANAGER) | _officer_scope(user) | counsellor)
    return visible.order_by("workshop_deadline", "number")


def intervention_participant_get(
    *, user: AnyUser, trial: Trial, pk: int, provider_scope: Q = NO_ROW
) -> Participant:
    """Return one intervention-arm participant, or raise Http404 (control arm included)."""
    try:
        return intervention_participants(user=user, trial=trial, provider_scope=provider_scope).get(
            pk=pk
        )
    except Participant.DoesNotExist:
        raise Http404("No such participant in the workshop arm.") from None


# The columns anyone may read: no names, dates of birth, contact details or PNC IDs.
PSEUDONYMISED_FIELDS = (
    "pk",
    "pseudonym",
    "trial__code",
    "police_area__code",
    "status",
    "eligible",
    "failed_criteria",
    "screened_at",
    "sex",
    "age_at_offence",
    "age_at_randomisation",
    "offence_type",
    "offence_date",
    "dash_risk",
    "victim_relationship",
    "caution_given_on",
    "workshop_deadline",
    "allocation__arm__code",
    "allocation__randomised_on",
    "allocation__stratum__key",
    "consent__decision",
    "consent__withdrawn_on",
)


def pseudonymised_rows(*, trial: Trial) -> QuerySet[Participant, dict[str, Any]]:
    """Return one dict per screened case of the trial, pseudonymised (for reports and exports)."""
    return Participant.objects.filter(trial=trial).order_by("number").values(*PSEUDONYMISED_FIELDS)


def enrolled_participants(*, trial: Trial) -> QuerySet[Participant]:
    """Return the trial's randomised participants (intention to treat: withdrawals included)."""
    return (
        Participant.objects.filter(trial=trial, status=CaseStatus.ENROLLED)
        .select_related("allocation__arm", "police_area")
        .defer(*PERSONAL_FIELDS)
        .order_by("number")
    )


def participant_by_pseudonym(*, trial: Trial, pseudonym: str) -> Participant | None:
    """Return the trial's case with this trial ID, personal data deferred (for imports)."""
    return (
        Participant.objects.filter(trial=trial, pseudonym=pseudonym.strip().upper())
        .defer(*PERSONAL_FIELDS)
        .first()
    )


def participant_by_person_key(*, trial: Trial, person_key: str) -> Participant | None:
    """Return the trial's enrolled participant with this person key (re-offence matching)."""
    return (
        Participant.objects.filter(trial=trial, person_key=person_key, status=CaseStatus.ENROLLED)
        .defer(*PERSONAL_FIELDS)
        .first()
    )


def intervention_enrolled(*, trial: Trial) -> QuerySet[Participant]:
    """Return the trial's enrolled intervention-arm men, personal data deferred (compliance)."""
    return (
        Participant.objects.filter(
            trial=trial, status=CaseStatus.ENROLLED, allocation__arm__is_intervention=True
        )
        .select_related("trial", "allocation__arm")
        .defer(*PERSONAL_FIELDS)
    )


def participant_trial_id(*, pk: int) -> int | None:
    """Return the id of the trial a case belongs to, or None if there is no such case."""
    return Participant.objects.filter(pk=pk).values_list("trial_id", flat=True).first()


def participant_for_booking(*, pk: int) -> Participant:
    """Return a case with its trial and arm, as workshop rules read them (no lock)."""
    return Participant.objects.select_related("trial", "allocation__arm").get(pk=pk)


def participant_locked(*, pk: int) -> Participant:
    """Return a case locked until commit, with its trial and arm (see docs/workshops.md).

    The lock order of writes that touch a man's workshops: participant, then sessions, then
    bookings and breaches. Every service that changes his bookings takes this lock first.
    """
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("trial", "allocation__arm")
        .get(pk=pk)
    )


def trial_case_counts(*, trial: Trial) -> tuple[int, int]:
    """Return how many cases a trial has screened and how many it has randomised."""
    cases = Participant.objects.filter(trial=trial)
    return cases.count(), cases.filter(allocation__isnull=False).count()


def trial_ids_for_custody_reference(reference: str) -> list[str]:
    """Return the trial IDs of the cases with this custody reference (the audit page's search)."""
    # Services read these selectors to check who may act: imported here, not at the top.
    from participants.services.validation import normalise_custody_reference

    wanted = normalise_custody_reference(reference)
    if not wanted:
        return []
    return list(
        Participant.objects.filter(custody_reference=wanted)
        .order_by("pseudonym")
        .values_list("pseudonym", flat=True)
    )


def case_for_subject_access(trial_id: str) -> Participant | None:
    """Return the case with this trial ID with its trial, area and allocation (any trial)."""
    return (
        Participant.objects.select_related("trial", "police_area", "allocation__arm")
        .filter(pseudonym=trial_id.strip().upper())
        .first()
    )
