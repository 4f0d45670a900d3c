"""E-mail that an automatic report is ready: researchers, or the committee for an interim look.

Written to the outbox in the transaction that finishes the run (docs/outbox.md) and rendered
when it leaves, to whoever holds the role then. A blinded interim report goes to the trial's
data monitoring committee only: researchers who see interim results could no longer analyse
the trial blind.
"""

from __future__ import annotations

from common.links import site_link
from common.models import OutboxMessage
from common.roles import Role
from common.services import Envelope, audit_record, outbox_enqueue, recipient_emails
from reports.models import ReportRun, ReportType, RunStatus

READY = "reports.report_ready"


def for_committee(run: ReportRun) -> bool:
    """Say whether the run is the committee's: a blinded interim look."""
    return run.blinded and run.report_type == ReportType.INTERIM


def _audience(run: ReportRun) -> dict[str, object]:
    if for_committee(run):
        return {"role": Role.DATA_MONITORING_COMMITTEE.value, "trial": run.trial_id}
    return {
        "role": Role.RESEARCHER.value,
        "trial": run.trial_id,
        "trial_research_address": run.trial_id,
    }


def report_recipients(*, run: ReportRun) -> list[str]:
    """Return the addresses to tell: the committee, or the research address then researchers."""
    if for_committee(run):
        return recipient_emails(_audience(run))
    found = [run.trial.research_email] if run.trial.research_email else []
    # The researchers of this trial only: another trial's team learns nothing of it.
    return list(
        dict.fromkeys(
            [*found, *recipient_emails({"role": Role.RESEARCHER.value, "trial": run.trial_id})]
        )
    )


def report_ready_queue(*, run: ReportRun) -> None:
    """Put the "report ready" e-mail in the outbox (in the transaction that finished the run)."""
    outbox_enqueue(kind=READY, context={"run": run.pk}, recipients=_audience(run))


def _run(message: OutboxMessage) -> ReportRun:
    return ReportRun.objects.select_related("trial").get(pk=message.context["run"])


def compose_report_ready(message: OutboxMessage) -> list[Envelope]:
    """The e-mail, unless the run was announced already."""
    run = _run(message)
    if run.status != RunStatus.DONE or run.notified_at is not None:
        return []
    trial = run.trial
    body = "\n".join(
        [
            f"A new follow-up wave of {trial.code} ({trial.title}) has been frozen "
            "and its interim report is ready.",
            f"Window: {run.window_months} months; data cut: {run.data_cut:%d/%m/%Y}.",
            *(["Blinded: the arms are labelled A and B."] if run.blinded else []),
            f"Dataset SHA-256: {run.dataset_sha256}",
            f"Sign in and open {site_link('reports:run', run.pk)} to download it.",
        ]
    )
    subject = (
        f"[{trial.code}] {run.get_report_type_display()} report ready: "
        f"{run.window_months}-month follow-up at {run.data_cut:%d/%m/%Y}"
    )
    # Blind copies: researchers of different institutions need not see each other.
    return [Envelope(to=report_recipients(run=run), subject=subject, body=body, bcc=True)]


def report_ready_sent(message: OutboxMessage) -> None:
    """Stamp the run as announced, with the audit event."""
    run = _run(message)
    ReportRun.objects.filter(pk=run.pk).update(notified_at=message.sent_at)
    recipients = len(report_recipients(run=run))
    audit_record(actor=None, action="report.notify", obj=run, recipients=recipients)


def notices_register() -> None:
    """Tell the outbox how to compose and stamp the report-ready e-mail (ReportsConfig.ready)."""
    from common.services import register_message

    register_message(READY, compose_report_ready, after_send=report_ready_sent)
