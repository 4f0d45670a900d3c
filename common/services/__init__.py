"""Writes shared by every app: the audit trail, the outbox, and users with their roles.

The public surface of common's writes: other apps import from here, never from the modules.
"""

from common.outbox import Envelope, recipient_emails, register_message
from common.services.audit import audit_record, disclosure_record
from common.services.audit_chain import audit_seal, audit_verify
from common.services.idempotency import idempotency_keys_expire, idempotent
from common.services.keys import personal_data_reencrypt
from common.services.outbox import Outcome, outbox_enqueue, outbox_send, outbox_send_pending
from common.services.people import (
    INVITE,
    RESET,
    membership_grant,
    membership_revoke,
    organisation_save,
    password_reset_send,
    person_is_managed_by,
    police_area_save,
    provider_save,
    superuser_create,
    user_active_set,
    user_invite,
    user_invite_check,
    user_organisation_set,
    user_password_set,
    user_roles_set,
)
from common.services.service_accounts import service_account_close, service_account_create

__all__ = [
    "INVITE",
    "RESET",
    "Envelope",
    "Outcome",
    "audit_record",
    "audit_seal",
    "audit_verify",
    "disclosure_record",
    "idempotency_keys_expire",
    "idempotent",
    "membership_grant",
    "membership_revoke",
    "organisation_save",
    "outbox_enqueue",
    "outbox_send",
    "outbox_send_pending",
    "password_reset_send",
    "person_is_managed_by",
    "personal_data_reencrypt",
    "police_area_save",
    "provider_save",
    "recipient_emails",
    "register_message",
    "service_account_close",
    "service_account_create",
    "superuser_create",
    "user_active_set",
    "user_invite",
    "user_invite_check",
    "user_organisation_set",
    "user_password_set",
    "user_roles_set",
]
