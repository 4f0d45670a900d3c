"""The audit trail: one row for every write a service makes and every look at personal data."""

from __future__ import annotations

from typing import Any

from django.db import models

from common.audit_rules import scope_of
from common.disclosure import DISCLOSURE_ACTIONS
from common.models import AuditEvent, AuditMention, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    **detail: Any,
) -> AuditEvent:
    """Record an audit event; call inside the transaction of the write it describes.

    The case (`participant=`, a trial ID), the cases of a list (`participants=`) and the trial
    (`trial=`, else the case's) are read from the detail into indexed columns.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    trial, subject, mentions = scope_of(detail)
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        trial=trial,
        subject=subject,
        detail=detail,
    )
    if mentions:
        AuditMention.objects.bulk_create(AuditMention(event=event, subject=m) for m in mentions)
    return event


def disclosure_record(
    *,
    actor: User | None,
    kind: str,
    purpose: str,
    recipient: str,
    justification: str = "",
    obj: models.Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Record that data left the application: what, to whom and why (DPA 2018 s.62)."""
    assert f"disclosure.{kind}" in DISCLOSURE_ACTIONS, kind  # the audit page filters on them
    return audit_record(
        actor=actor,
        action=f"disclosure.{kind}",
        obj=obj,
        purpose=purpose,
        recipient=recipient,
        justification=justification,
        **detail,
    )
