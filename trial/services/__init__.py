"""Writes of the trial app: set-up, design versions, status, allocation, concealment, chains.

The public surface of trial's writes: other apps, views, tasks, commands and the demo import
from here only. Each service runs in one transaction with its audit event.
"""

from trial.services.allocation import allocation_claim, allocation_import
from trial.services.concealment import (
    ALGORITHM,
    PERMISSION,
    SequenceRow,
    sequence_export,
    sequence_reveal,
)
from trial.services.corrections import post_randomisation_record
from trial.services.design import (
    SETTINGS_FIELDS,
    TRANSITIONS,
    ArmSpec,
    trial_create,
    trial_design_update,
    trial_settings_update,
    trial_transition,
)
from trial.services.notifications import (
    NOTICE,
    allocation_notice_sent,
    compose_allocation_notice,
)
from trial.services.retention import trial_erasure_begin
from trial.services.strata import NAME_PATTERN, stratum_key, stratum_key_of
from trial.services.verification import Break, chain_verify, stratum_label

__all__ = [
    "ALGORITHM",
    "NAME_PATTERN",
    "NOTICE",
    "PERMISSION",
    "SETTINGS_FIELDS",
    "TRANSITIONS",
    "ArmSpec",
    "Break",
    "SequenceRow",
    "allocation_claim",
    "allocation_import",
    "allocation_notice_sent",
    "chain_verify",
    "compose_allocation_notice",
    "post_randomisation_record",
    "sequence_export",
    "sequence_reveal",
    "stratum_key",
    "stratum_key_of",
    "stratum_label",
    "trial_create",
    "trial_design_update",
    "trial_erasure_begin",
    "trial_settings_update",
    "trial_transition",
]
