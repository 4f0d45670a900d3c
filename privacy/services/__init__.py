"""Writes of the privacy app: subject access exports and the erasure of a trial's personal data.

The public surface of privacy's writes: views, tasks and commands import from here.
"""

from privacy.services.erasure import erasure_due_run, erasures_due, personal_data_erase
from privacy.services.subject_access import subject_access_export

__all__ = ["erasure_due_run", "erasures_due", "personal_data_erase", "subject_access_export"]
