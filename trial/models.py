"""Trials, their arms and design versions, randomisation sequences and allocations."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

ZERO_HASH = "0" * 64


class TrialStatus(models.TextChoices):
    SETUP = "setup", "Set-up"
    RECRUITING = "recruiting", "Recruiting"
    RECRUITMENT_CLOSED = "recruitment_closed", "Recruitment closed"
    FOLLOW_UP = "follow_up", "Follow-up"
    CLOSED = "closed", "Closed"


class Trial(models.Model):
    """A randomised trial: its status, arms and design (each stratum holds an allocation chain)."""

    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. CARA.")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=TrialStatus.choices, default=TrialStatus.SETUP)
    research_email = models.EmailField(
        blank=True, help_text="Each allocation is e-mailed here: the research team's own record."
    )
    follow_up_months = models.JSONField(default=list, help_text="Follow-up windows, e.g. [12, 24].")
    # Workshop parameters, used by the workshops app.
    workshop_gap_days = models.PositiveSmallIntegerField(default=28)
    workshop_gap_min_days = models.PositiveSmallIntegerField(default=21)
    workshop_gap_max_days = models.PositiveSmallIntegerField(default=35)
    cycle_interval_days = models.PositiveSmallIntegerField(default=35)
    session_hours = models.DecimalField(max_digits=4, decimal_places=1, default=5)
    session_capacity = models.PositiveSmallIntegerField(default=8)
    compliance_weeks = models.PositiveSmallIntegerField(
        default=16, help_text="Weeks from the caution within which its conditions must be met."
    )
    # The caution's legal limit: an officer may extend a man's workshop deadline up to here only.
    deadline_limit_weeks = models.PositiveSmallIntegerField(
        "Latest extended deadline (weeks after the caution)",
        default=20,
        help_text=(
            "The caution's legal limit: a case officer may extend a man's workshop deadline, "
            "with a reason, to at most this many weeks after his caution."
        ),
    )
    reminder_days_before = models.PositiveSmallIntegerField(default=2)
    screening_correction_days = models.PositiveSmallIntegerField(
        "Days to correct screening answers",
        default=7,
        help_text=(
            "How many days after screening an officer may correct the screening answers, "
            "with a reason, as long as the case is not enrolled."
        ),
    )
    # Set by the first imported allocation: a chain is all imported or all live, never mixed, so an
    # analysis never has to ask which rows this system randomised (docs/randomisation.md).
    allocations_imported = models.BooleanField(default=False)
    # How a trial randomised elsewhere made its allocations, in the source's own words; blank means
    # not known, and the report says so rather than describe this application's own scheme.
    randomisation_recorded = models.TextField(
        "Randomisation method (as the source trial records it)", blank=True
    )
    # An imported history is one chain in import order, its head here (imports hold the trial
    # row locked anyway); live allocations chain per stratum, their heads on the strata.
    history_length = models.PositiveIntegerField(default=0)
    history_head = models.CharField(max_length=64, default=ZERO_HASH)
    created_at = models.DateTimeField(default=timezone.now)
    # Retention (docs/data-protection.md): names, contacts, dates of birth, PNC IDs and free text
    # are erased this long after the trial closes; the pseudonymised data and chains stay.
    closed_on = models.DateField(null=True, blank=True, editable=False)
    retention_months = models.PositiveSmallIntegerField(
        default=72,
        help_text="Months after the trial closes before its personal data are erased.",
    )
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TrialStatus.values), name="trial_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(workshop_gap_min_days__lte=models.F("workshop_gap_days"))
                & Q(workshop_gap_days__lte=models.F("workshop_gap_max_days")),
                name="trial_workshop_gap_in_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def chain_length(self) -> int:
        """Allocations in the trial's chains: its history's and its strata's (one query)."""
        total = self.strata.aggregate(n=models.Sum("chain_length"))["n"]
        return self.history_length + int(total or 0)


class Arm(models.Model):
    """One arm of a trial with its share of the allocation ratio."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="arms")
    code = models.SlugField(max_length=30, help_text="e.g. cara, control")
    name = models.CharField(max_length=100)
    ratio = models.PositiveSmallIntegerField(default=1)
    is_intervention = models.BooleanField(
        default=False, help_text="Participants in this arm are booked into workshops."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trial", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "code"], name="arm_code_unique_in_trial"),
            models.CheckConstraint(condition=Q(ratio__gte=1), name="arm_ratio_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class DesignVersion(models.Model):
    """The allocation design in force: ratios, block sizes and strata. Frozen once used."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="designs")
    number = models.PositiveSmallIntegerField()
    # {arm code: ratio}, in arm order; copied here so a later arm edit cannot change the past.
    ratios = models.JSONField()
    # Block sizes are these multiples of the ratio sum: [1, 2, 3] gives blocks of 2, 4, 6 at 1:1.
    block_multipliers = models.JSONField(default=list)
    # {factor name: [allowed values]}, e.g. {"area": ["southampton", "portsmouth"]}.
    strata_factors = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["trial", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "number"], name="design_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.trial.code} design v{self.number}"

    @property
    def ratio_sum(self) -> int:
        return sum(int(r) for r in self.ratios.values())

    @property
    def block_sizes(self) -> list[int]:
        return [m * self.ratio_sum for m in self.block_multipliers]

    @property
    def arm_ratios(self) -> list[tuple[str, int]]:
        """(arm code, ratio) in code order: PostgreSQL's jsonb does not keep key order."""
        return sorted((code, int(ratio)) for code, ratio in self.ratios.items())

    @property
    def factor_names(self) -> list[str]:
        """Stratification factors in name order, for the same reason."""
        return sorted(self.strata_factors)


class Stratum(models.Model):
    """One combination of stratification values with its own secret, concealed sequence."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="strata")
    design = models.ForeignKey(DesignVersion, on_delete=models.PROTECT, related_name="strata")
    key = models.CharField(max_length=200, help_text="e.g. area=southampton")
    values = models.JSONField()
    # 32 random bytes (hex) from `secrets`; with the design it regenerates the sequence offline.
    seed = models.CharField(max_length=64)
    blocks_generated = models.PositiveIntegerField(default=0)
    next_position = models.PositiveIntegerField(default=1)
    # Head of this stratum's allocation hash chain, moved in the transaction of each allocation
    # while the row is locked to take the next slot, so a row deleted from the end of the chain
    # is detected too. One chain per stratum lets claims of different strata run in parallel.
    chain_length = models.PositiveIntegerField(default=0)
    chain_head = models.CharField(max_length=64, default=ZERO_HASH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["trial", "key"]
        verbose_name_plural = "strata"
        permissions = [("view_sequence", "View and export the stored randomisation sequence")]
        constraints = [
            models.UniqueConstraint(fields=["design", "key"], name="stratum_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.trial.code} {self.key}"


class Slot(models.Model):
    """One position of a stratum's sequence and the arm it assigns."""

    stratum = models.ForeignKey(Stratum, on_delete=models.PROTECT, related_name="slots")
    position = models.PositiveIntegerField()
    block_number = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["stratum", "position"]
        constraints = [
            models.UniqueConstraint(fields=["stratum", "position"], name="slot_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.stratum} #{self.position}"


class IrreversibleError(Exception):
    """Allocations are never edited or deleted; record a post-randomisation event instead."""


class AllocationQuerySet(models.QuerySet["Allocation"]):
    def update(self, **kwargs: Any) -> int:
        raise IrreversibleError("Allocations cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise IrreversibleError("Allocations cannot be deleted.")


class Allocation(models.Model):
    """A participant's randomised arm: one link of its stratum's tamper-evident hash chain."""

    # PostgreSQL's trial_allocation_claim function (migration 0009) inserts rows itself: a new
    # NOT NULL column needs a database default or a new version of that function.

    # No index of their own for trial and stratum: the unique constraints below begin with them,
    # and every index is one more write in the claim.
    trial = models.ForeignKey(
        Trial, on_delete=models.PROTECT, related_name="allocations", db_index=False
    )
    seq = models.PositiveIntegerField(
        help_text=(
            "Position in the stratum's allocation chain (an imported history's: the trial's)."
        )
    )
    # The trial ID of the participant (e.g. CARA-0042): the engine knows nothing of screening.
    participant_key = models.CharField(max_length=40)
    # Keyed hash of the person identifier: one person is randomised at most once per trial.
    person_key = models.CharField(max_length=64)
    stratum = models.ForeignKey(
        Stratum, on_delete=models.PROTECT, related_name="allocations", db_index=False
    )
    # Empty only for allocations made elsewhere and imported for analysis (no slot of ours).
    slot = models.OneToOneField(
        Slot, null=True, blank=True, on_delete=models.PROTECT, related_name="allocation"
    )
    imported = models.BooleanField(default=False)
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="allocations")
    randomised_on = models.DateField()
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[Allocation]] = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["trial", "stratum", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["stratum", "seq"], name="allocation_seq_unique"),
            models.UniqueConstraint(
                fields=["trial", "seq"],
                condition=Q(imported=True),
                name="allocation_history_seq_unique",
            ),
            models.UniqueConstraint(
                fields=["trial", "participant_key"], name="allocation_participant_once"
            ),
            models.UniqueConstraint(
                fields=["trial", "person_key"], name="allocation_person_once_per_trial"
            ),
            models.CheckConstraint(
                condition=Q(imported=False, slot__isnull=False)
                | Q(imported=True, slot__isnull=True),
                name="allocation_slot_unless_imported",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trial.code} {self.participant_key}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise IrreversibleError("Allocations cannot be deleted.")


class PostRandomisationKind(models.TextChoices):
    RANDOMISED_IN_ERROR = "randomised_in_error", "Randomised in error"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PostRandomisationEvent(models.Model):
    """A correction after randomisation; the participant stays in the intention-to-treat set."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=PostRandomisationKind.choices)
    occurred_on = models.DateField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["allocation", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PostRandomisationKind.values),
                name="post_randomisation_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["allocation", "kind"], name="post_randomisation_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation} {self.get_kind_display()}"


class ChainVerification(models.Model):
    """The result of recomputing a trial's allocation chains (one per stratum)."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="verifications")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    rows_checked = models.PositiveIntegerField()
    # The first broken chain, e.g. "design v1 area=north", and its first broken row.
    first_broken_stratum = models.CharField(max_length=220, blank=True)
    first_broken_seq = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["trial", "-at"]
        get_latest_by = "at"

    def __str__(self) -> str:
        return f"{self.trial.code} {'ok' if self.ok else 'BROKEN'} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def broken_at(self) -> str:
        """Where the chains first break, e.g. 'design v1 area=north, row 3' (empty when intact)."""
        if self.first_broken_seq is None:
            return self.first_broken_stratum
        return f"{self.first_broken_stratum}, row {self.first_broken_seq}"


class AllocationNotice(models.Model):
    """That an allocation was e-mailed to the research team (the allocation row is immutable)."""

    allocation = models.OneToOneField(Allocation, on_delete=models.PROTECT, related_name="notice")
    recipient = models.EmailField()
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.allocation} sent to {self.recipient}"
