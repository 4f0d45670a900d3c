"""Report runs: one requested report, its progress, its PDF and the numbers it printed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.crypto import EncryptedTextField
from common.transitions import Transitions


class ReportType(models.TextChoices):
    INTERIM = "interim", "Interim"
    FINAL = "final", "Final"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# Allowed status changes (services check every change against this table). Running -> running is
# a worker picking up a run whose previous worker died half-way (the task is acked late).
TRANSITIONS: Transitions[str] = Transitions(
    {
        RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.FAILED},
        RunStatus.RUNNING: {RunStatus.RUNNING, RunStatus.DONE, RunStatus.FAILED},
        RunStatus.FAILED: {RunStatus.QUEUED},
        RunStatus.DONE: set(),
    },
    statuses=RunStatus,
)


class ReportRun(models.Model):
    """One report of a trial's follow-up window at a data cut, built by a Celery task."""

    trial = models.ForeignKey("trial.Trial", on_delete=models.PROTECT, related_name="+")
    report_type = models.CharField(max_length=10, choices=ReportType.choices)
    window_months = models.PositiveSmallIntegerField()
    data_cut = models.DateField()
    blinded = models.BooleanField(default=False, help_text="Arms labelled A and B (for a DMC).")
    # SHA-256 of the analysis dataset at the request: the same data gives the same run.
    dataset_sha256 = models.CharField(max_length=64)
    automatic = models.BooleanField(default=False, help_text="Built after a follow-up wave.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="reports/", blank=True)
    dataset_csv = models.FileField(upload_to="reports/datasets/", blank=True)
    # CONSORT counts the rows cannot show (everyone randomised by the cut, screening); the
    # dataset SHA-256 covers dataset.csv followed by these bytes.
    flow_csv = models.FileField(upload_to="reports/datasets/", blank=True)
    results = models.JSONField(null=True, blank=True)
    software_version = models.CharField(max_length=40, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="Researchers e-mailed.")
    # Why a committee member needed the arms named at an interim look (encrypted free text).
    unblinded_justification = EncryptedTextField(blank=True, default="")
    committee_only = models.BooleanField(
        default=False, help_text="Unblinded at an interim look: the committee and managers only."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "trial",
                    "window_months",
                    "data_cut",
                    "report_type",
                    "blinded",
                    "dataset_sha256",
                ],
                name="report_run_once_per_dataset",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="report_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(report_type__in=ReportType.values), name="report_run_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_run_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.DONE)
                | (~Q(pdf="") & Q(results__isnull=False) & Q(progress=100)),
                name="report_run_done_has_pdf_and_results",
            ),
        ]

    def __str__(self) -> str:
        kind = self.get_report_type_display()
        return f"{self.trial_id} {kind} {self.window_months}m at {self.data_cut} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
