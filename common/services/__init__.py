"""Writes shared by every app: the audit trail (and, as they come, the outbox and users).

The public surface of common's writes: other apps import from here, never from the modules.
"""

from common.services.audit import audit_record

__all__ = ["audit_record"]
