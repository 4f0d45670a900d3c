"""The CCHI catalogue, re-offence records, record sources, import runs and follow-up snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from common.crypto import EncryptedTextField
from participants.models import DashRisk


class HarmIndexVersion(models.Model):
    """One edition of the Crime Harm Index as loaded (e.g. CCHI-2020-DA); one is current."""

    name = models.CharField(max_length=60, unique=True)
    loaded_at = models.DateTimeField(default=timezone.now)
    source_note = models.TextField(blank=True, help_text="Where the values come from.")
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="harm_index_one_current"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HarmIndexEntry(models.Model):
    """The harm of one offence code in one catalogue version, in days of imprisonment."""

    version = models.ForeignKey(HarmIndexVersion, on_delete=models.PROTECT, related_name="entries")
    code = models.CharField(max_length=40, help_text="Home Office offence code, e.g. 105/01.")
    title = models.CharField(max_length=300)
    harm_days = models.DecimalField(max_digits=10, decimal_places=2)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "code"]
        verbose_name_plural = "harm index entries"
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="harm_entry_code_unique"),
            models.CheckConstraint(condition=Q(harm_days__gte=0), name="harm_days_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title} ({self.harm_days})"


class OffenceCodeMapping(models.Model):
    """Scores a records-system code as a catalogue code (e.g. 008/01 as 008/01-minor)."""

    from_code = models.CharField(max_length=40, unique=True)
    to_code = models.CharField(max_length=40)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["from_code"]

    def __str__(self) -> str:
        return f"{self.from_code} -> {self.to_code}"


class TrialHarmIndex(models.Model):
    """A trial's pinned catalogue version (trial/ knows nothing of outcomes, so it lives here)."""

    trial = models.OneToOneField("trial.Trial", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(HarmIndexVersion, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.trial_id} pinned to {self.version}"


class SourceKind(models.TextChoices):
    FOLDER = "folder", "Folder of CSV extracts"
    HTTP = "http", "HTTP JSON endpoint"
    UPLOAD = "upload", "Browser upload"
    MANUAL = "manual", "Manual entry"
    HISTORY = "history", "History import"


class RecordSource(models.Model):
    """Where a trial's re-offence records come from; pulled by Celery when it is pullable."""

    trial = models.ForeignKey("trial.Trial", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    is_active = models.BooleanField(default=True)
    folder = models.CharField(max_length=500, blank=True, help_text="Folder kind: drop folder.")
    url = models.URLField(blank=True, help_text="HTTP kind: first page of the endpoint.")
    token = EncryptedTextField(blank=True, help_text="HTTP kind: bearer token (encrypted).")
    timeout_seconds = models.FloatField(default=30)
    max_attempts = models.PositiveSmallIntegerField(default=4)
    backoff_seconds = models.FloatField(default=2, help_text="First retry delay; doubles after.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["trial", "name"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "name"], name="source_name_unique_in_trial"),
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="folder") | ~Q(folder=""), name="folder_source_has_folder"
            ),
            models.CheckConstraint(
                condition=~Q(kind="http") | ~Q(url=""), name="http_source_has_url"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    REJECTED = "rejected", "Rejected (bad rows)"
    FAILED = "failed", "Failed (source unreachable)"


class ImportRun(models.Model):
    """One file or page read from a source: what it held and what became of it."""

    source = models.ForeignKey(RecordSource, on_delete=models.PROTECT, related_name="runs")
    label = models.CharField(max_length=300, help_text="File name or page URL.")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors, for display.")
    attempts = models.PositiveSmallIntegerField(default=1)
    file_path = models.CharField(max_length=500, blank=True, help_text="Uploaded or kept file.")
    error_report = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="import_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.label} {self.status}"


class VictimRelationship(models.TextChoices):
    SAME_PARTNER = "same_partner", "Same partner"
    OTHER_PARTNER = "other_partner", "Other partner"
    FAMILY = "family", "Family member"
    NON_DOMESTIC = "non_domestic", "Non-domestic"
    NONE = "none", "No victim"


DOMESTIC = (
    VictimRelationship.SAME_PARTNER,
    VictimRelationship.OTHER_PARTNER,
    VictimRelationship.FAMILY,
)


class RecordStatus(models.TextChoices):
    ARREST = "arrest", "Arrest"
    COMPLAINT = "complaint", "Complaint of crime"
    CHARGE = "charge", "Charge"
    CAUTION = "caution", "Caution"
    CONVICTION = "conviction", "Conviction"
    # Imported histories often carry no status; saying so beats guessing "arrest".
    NOT_RECORDED = "not_recorded", "Not recorded"


class ReoffenceRecord(models.Model):
    """One record from the records system naming a person for an offence after some date."""

    source = models.ForeignKey(RecordSource, on_delete=models.PROTECT, related_name="records")
    source_record_id = models.CharField(max_length=100)
    import_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="records")
    person_identifier = EncryptedTextField(help_text="PNC ID, encrypted at rest.")
    person_key = models.CharField(max_length=64, db_index=True)
    offence_date = models.DateField()
    offence_code = models.CharField(max_length=40)
    victim_relationship = models.CharField(max_length=15, choices=VictimRelationship.choices)
    record_status = models.CharField(max_length=12, choices=RecordStatus.choices)
    # Null: nobody in the trial has this person key; counted apart, never guessed.
    allocation = models.ForeignKey(
        "trial.Allocation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "source_record_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_record_id"], name="record_id_unique_per_source"
            ),
            models.CheckConstraint(
                condition=Q(victim_relationship__in=VictimRelationship.values),
                name="record_victim_relationship_valid",
            ),
            models.CheckConstraint(
                condition=Q(record_status__in=RecordStatus.values), name="record_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["allocation", "offence_date"])]

    def __str__(self) -> str:
        return f"{self.source} #{self.source_record_id}"


class Snapshot(models.Model):
    """A participant's frozen outcome for one follow-up window; never changed, only superseded."""

    allocation = models.ForeignKey("trial.Allocation", on_delete=models.PROTECT, related_name="+")
    window_months = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    data_cut = models.DateField(help_text="Records known on this date were used.")
    window_end = models.DateField(help_text="Last day of the window (inclusive).")
    offences = models.PositiveIntegerField()
    harm_days = models.DecimalField(max_digits=12, decimal_places=2)
    reoffended = models.BooleanField()
    same_partner = models.BooleanField()
    domestic = models.BooleanField()
    days_to_first = models.PositiveIntegerField(null=True, blank=True)
    harm_index = models.ForeignKey(HarmIndexVersion, on_delete=models.PROTECT, related_name="+")
    # Import runs whose records were counted, and the last run loaded when it was frozen.
    import_run_ids = models.JSONField(default=list)
    last_import_run_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why a correction was made (version > 1).")
    frozen_at = models.DateTimeField(default=timezone.now)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["allocation", "window_months", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "window_months", "version"], name="snapshot_once_per_version"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="snapshot_version_positive"),
            models.CheckConstraint(
                condition=Q(harm_days__gte=0), name="snapshot_harm_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(reason=""), name="snapshot_correction_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(offences__gt=0, reoffended=True) | Q(offences=0, reoffended=False),
                name="snapshot_reoffended_iff_offences",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id} {self.window_months}m v{self.version}"


class HistoricalBaseline(models.Model):
    """Baseline facts of a participant of a trial imported from elsewhere (no screening here)."""

    allocation = models.OneToOneField(
        "trial.Allocation", on_delete=models.PROTECT, related_name="historical_baseline"
    )
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    offence_type = models.CharField(max_length=60, blank=True)
    dash_risk = models.CharField("DASH risk level", max_length=10, blank=True)
    # Null: control arm, or not recorded by the trial that ran elsewhere.
    workshops_attended = models.PositiveSmallIntegerField(null=True, blank=True)
    import_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["allocation"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workshops_attended__isnull=True) | Q(workshops_attended__lte=2),
                name="history_workshops_0_to_2",
            ),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__gte=10, age__lte=120),
                name="history_age_plausible",
            ),
            models.CheckConstraint(
                condition=Q(dash_risk__in=["", *DashRisk.values]),
                name="history_dash_risk_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"baseline of {self.allocation_id}"
