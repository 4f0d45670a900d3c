"""Writes of the privacy app: subject access exports and the erasure of a trial's personal data.

The public surface of privacy's writes: views, tasks and commands import from here.
"""

from privacy.services.subject_access import subject_access_export

__all__ = ["subject_access_export"]
