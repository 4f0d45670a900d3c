"""E-mail researchers that a report is ready: the trial's research address and researcher users."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from common.links import site_link
from common.models import User
from common.roles import Role
from common.services import audit_record
from reports.models import ReportRun, RunStatus


def report_recipients(*, run: ReportRun) -> list[str]:
    """Return the addresses to tell: the trial's research address, then active researchers."""
    found = [run.trial.research_email] if run.trial.research_email else []
    researchers = (
        User.objects.filter(groups__name=Role.RESEARCHER.value, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(dict.fromkeys([*found, *researchers]))


def report_ready_notify(*, run_id: int) -> bool:
    """E-mail that a finished report is ready, once; say whether a message was sent now."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().select_related("trial").get(pk=run_id)
        if run.status != RunStatus.DONE or run.notified_at is not None:
            return False
        recipients = report_recipients(run=run)
        if recipients:
            trial = run.trial
            # Blind copies: researchers of different institutions need not see each other.
            EmailMessage(
                subject=f"[{trial.code}] {run.get_report_type_display()} report ready: "
                f"{run.window_months}-month follow-up at {run.data_cut:%d/%m/%Y}",
                body="\n".join(
                    [
                        f"A new follow-up wave of {trial.code} ({trial.title}) has been frozen "
                        "and its interim report is ready.",
                        f"Window: {run.window_months} months; data cut: {run.data_cut:%d/%m/%Y}.",
                        f"Dataset SHA-256: {run.dataset_sha256}",
                        f"Sign in and open {site_link('reports:run', run.pk)} to download it.",
                    ]
                ),
                bcc=recipients,
            ).send()
        run.notified_at = timezone.now()
        run.save(update_fields=["notified_at"])
        audit_record(actor=None, action="report.notify", obj=run, recipients=len(recipients))
    return bool(recipients)
