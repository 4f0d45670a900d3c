"""Reads of the participants app: row-level visibility of cases is decided here, once.

The public surface of participants' reads: other apps, views and the admin import from here only.
"""

from participants.models import CaseStatus, DashRisk, OffenceType, SafetyEventKind
from participants.selectors.cases import (
    PERSONAL_FIELDS,
    PSEUDONYMISED_FIELDS,
    case_check,
    case_for_subject_access,
    case_get,
    case_search,
    cases_visible_to,
    enrolled_participants,
    intervention_enrolled,
    intervention_participant_get,
    intervention_participants,
    participant_by_person_key,
    participant_by_pseudonym,
    participant_for_booking,
    participant_locked,
    participant_trial_id,
    pseudonymised_rows,
    trial_case_counts,
    trial_ids_for_custody_reference,
    victim_get,
)
from participants.selectors.corrections import (
    correction_window_ends,
    screening_correction_refusal,
    screening_corrections,
)
from participants.selectors.dashboard import (
    BUCKETS,
    ENROLLED,
    Bucket,
    bucket_counts,
    bucket_get,
    bucket_register,
    months_before,
    with_workshops_done,
    workshops_done_register,
)
from participants.selectors.deadlines import (
    DUE_SOON_DAYS,
    deadline_limit,
    deadline_q,
    deadline_state,
)
from participants.selectors.oversight import *  # noqa: F403  (counts for the oversight app)
from participants.selectors.safety import safety_event_counts, safety_events

__all__ = [
    "BUCKETS",
    "DUE_SOON_DAYS",
    "ENROLLED",
    "PERSONAL_FIELDS",
    "PSEUDONYMISED_FIELDS",
    "Bucket",
    "CaseStatus",
    "DashRisk",
    "OffenceType",
    "SafetyEventKind",
    "bucket_counts",
    "bucket_get",
    "bucket_register",
    "case_check",
    "case_for_subject_access",
    "case_get",
    "case_search",
    "cases_visible_to",
    "correction_window_ends",
    "deadline_limit",
    "deadline_q",
    "deadline_state",
    "enrolled_participants",
    "intervention_enrolled",
    "intervention_participant_get",
    "intervention_participants",
    "months_before",
    "participant_by_person_key",
    "participant_by_pseudonym",
    "participant_for_booking",
    "participant_locked",
    "participant_trial_id",
    "pseudonymised_rows",
    "safety_event_counts",
    "safety_events",
    "screening_correction_refusal",
    "screening_corrections",
    "trial_case_counts",
    "trial_ids_for_custody_reference",
    "victim_get",
    "with_workshops_done",
    "workshops_done_register",
]
