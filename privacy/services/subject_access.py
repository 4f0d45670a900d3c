"""A subject access export: one man's record, his allocation, and who looked at it and when.

The victim's details are never in it (they are hers, not his), nor are other men's trial IDs.
The export is a disclosure: logged with its purpose and recipient in the same transaction.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.db import transaction
from django.utils import timezone

from common.exceptions import DomainError
from common.models import User
from common.roles import roles_of
from common.services import disclosure_record
from participants.selectors import PERSONAL_FIELDS, case_for_subject_access
from privacy.selectors import audit_of_case, audit_reader, audit_trials_of
from workshops.selectors import booking_history

README = """Subject access export for {trial_id}, made {made} by {by}.

record.json      the personal data and case facts held about you in {trial}
allocation.json  the group you were randomly assigned to, and when
workshops.csv    the workshop places booked for you and your attendance
access_log.csv   every time someone looked at, changed or disclosed your record: when, who
                 (their name and role), what and why

The victim's details are not part of this export: they are her personal data, not yours.
"""


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@transaction.atomic
def subject_access_export(
    *, by: User, trial_id: str, purpose: str, recipient: str, justification: str = ""
) -> tuple[str, bytes]:
    """Return (file name, zip bytes) of one case's subject access export, logged."""
    audit_reader(by)
    case = case_for_subject_access(trial_id)
    within = audit_trials_of(by)
    if case is not None and within is not None and case.trial.code not in within:
        case = None  # another trial's case does not exist for this manager
    if case is None:
        raise DomainError(f"No case has the trial ID {trial_id}.", field="person")
    record = {field: _value(getattr(case, field)) for field in PERSONAL_FIELDS}
    record |= {
        "trial_id": case.pseudonym,
        "trial": case.trial.code,
        "police_area": case.police_area.name,
        "custody_reference": case.custody_reference,
        "status": case.get_status_display(),
        "offence_date": _value(case.offence_date),
        "arrest_date": _value(case.arrest_date),
        "caution_given_on": _value(case.caution_given_on),
        "workshop_deadline": _value(case.workshop_deadline),
    }
    allocation = getattr(case, "allocation", None)
    allocated = (
        {"group": allocation.arm.name, "randomised_on": _value(allocation.randomised_on)}
        if allocation
        else {"group": None, "note": "not randomised"}
    )
    bookings = [
        [b.session.starts_at.date().isoformat(), b.part, b.get_status_display(), b.attendance]
        for b in booking_history(participant=case)
    ]
    looks = [
        [
            _value(e.at),
            e.actor.get_full_name() or e.actor.username if e.actor else "the application",
            ", ".join(r.value for r in roles_of(e.actor)) if e.actor else "",
            e.action,
            e.detail.get("purpose", "") or e.detail.get("page", ""),
        ]
        for e in audit_of_case(case.pseudonym)
    ]
    disclosure_record(
        actor=by,
        kind="subject_access",
        obj=case,
        purpose=purpose,
        recipient=recipient,
        justification=justification,
        participant=case.pseudonym,
        trial=case.trial.code,
        events=len(looks),
    )
    made = timezone.localtime()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                trial_id=case.pseudonym,
                trial=case.trial.code,
                made=f"{made:%Y-%m-%d %H:%M}",
                by=by.get_full_name() or by.username,
            ),
        )
        archive.writestr("record.json", json.dumps(record, indent=2, ensure_ascii=False))
        archive.writestr("allocation.json", json.dumps(allocated, indent=2))
        archive.writestr("workshops.csv", _csv(["date", "part", "status", "attendance"], bookings))
        archive.writestr("access_log.csv", _csv(["when", "who", "role", "what", "why"], looks))
    return f"subject-access-{case.pseudonym}.zip", buffer.getvalue()
