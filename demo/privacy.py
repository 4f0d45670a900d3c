"""Demo audit trail: a dataset disclosed with its purpose, a subject access request answered,
and the chain verified last, so the audit page opens on real, searchable events.

Safe to run again: each disclosure is made once, and a verification is added each time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from common.models import AuditEvent, User
from common.services import audit_verify
from participants.selectors import enrolled_participants
from privacy.services import subject_access_export
from reports.services import dataset_trial_ids, run_disclose

if TYPE_CHECKING:
    from common.models import AuditVerification
    from reports.models import ReportRun
    from trial.models import Trial


def demo_privacy_load(
    *, trial: Trial, report: ReportRun | None, manager: User
) -> AuditVerification:
    """Disclose the demo dataset once, answer one subject access request, verify the chain."""
    researcher = User.objects.filter(username="researcher").first()
    dpo = User.objects.filter(username="dpo").first()
    if report is not None and researcher and not _done("disclosure.report_dataset"):
        with report.dataset_csv.open("rb") as handle:
            ids = dataset_trial_ids(handle.read())
        run_disclose(
            run=report,
            by=researcher,
            what="dataset",
            purpose="dmc_interim",
            recipient="the data monitoring committee",
            justification="Interim look before the programme board",
            participants=ids,
        )
    first = enrolled_participants(trial=trial).order_by("number").first()
    if dpo and first is not None and not _done("disclosure.subject_access"):
        subject_access_export(
            by=dpo,
            trial_id=first.pseudonym,
            purpose="subject_access",
            recipient="the data subject",
            justification="Written request received by the force's information rights unit",
        )
    return audit_verify(by=manager)


def _done(action: str) -> bool:
    return AuditEvent.objects.filter(action=action).exists()
