"""Writes of the participants app: screening, victim consent, enrolment, and looks at personal data.

The public surface of participants' writes: other apps, views, commands and the demo import from
here only. Each service runs in one transaction with its audit event; audit details hold trial
IDs and codes, never personal data. Double submissions are answered from the form's one-time
token: replaying a token returns what the first request made, and constraints catch any race
the locks miss.
"""

from participants.services.consent import (
    ConsentInput,
    VictimInput,
    consent_record,
    consent_withdraw,
)
from participants.services.correction import screening_correct
from participants.services.custody import (
    EnrolResult,
    ScreenResult,
    caution_conditions,
    custody_consent,
    custody_enrol,
    custody_screen,
)
from participants.services.deadlines import workshop_deadline_extend
from participants.services.enrolment import participant_enrol, strata_of
from participants.services.erasure import trial_cases_erase
from participants.services.looks import personal_data_listed, personal_data_viewed
from participants.services.rule_sets import rule_set_current, rule_set_publish
from participants.services.safety import safety_event_record
from participants.services.screening import ScreeningInput, screening_record
from participants.services.validation import (
    InvalidInputError,
    consent_problems,
    normalise_custody_reference,
    pnc_problem,
    screening_problems,
)

__all__ = [
    "ConsentInput",
    "EnrolResult",
    "InvalidInputError",
    "ScreenResult",
    "ScreeningInput",
    "VictimInput",
    "caution_conditions",
    "consent_problems",
    "consent_record",
    "consent_withdraw",
    "custody_consent",
    "custody_enrol",
    "custody_screen",
    "normalise_custody_reference",
    "participant_enrol",
    "personal_data_listed",
    "personal_data_viewed",
    "pnc_problem",
    "rule_set_current",
    "rule_set_publish",
    "safety_event_record",
    "screening_correct",
    "screening_problems",
    "screening_record",
    "strata_of",
    "trial_cases_erase",
    "workshop_deadline_extend",
]
