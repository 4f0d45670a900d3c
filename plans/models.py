"""A trial's statistical analysis plan: numbered versions, never edited (a change is a new one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Outcome(models.TextChoices):
    """The outcomes the report estimates, in the trial's words."""

    HARM = "harm", "Harm (CCHI days per man)"
    PREVALENCE = "prevalence", "Prevalence (men who re-offended)"
    FREQUENCY = "frequency", "Frequency (re-offences per man)"
    TIME_TO_FIRST = "time_to_first", "Time to first re-offence"


class Sided(models.TextChoices):
    TWO = "two", "Two-sided"
    ONE = "one", "One-sided"


class Spending(models.TextChoices):
    """How the alpha is spent over interim looks (Lan-DeMets)."""

    NONE = "none", "None (no interim looks)"
    OBRIEN_FLEMING = "obrien_fleming", "O'Brien-Fleming"
    POCOCK = "pocock", "Pocock"


class PowerBasis(models.TextChoices):
    """What the sample size was calculated on."""

    MEANS = "means", "A difference of means (with a standard deviation)"
    RATES = "rates", "A difference of rates (proportions re-offending)"


class Sensitivity(models.TextChoices):
    UNSCORABLE_BOUNDS = "unscorable_bounds", "Unscorable outcomes at the catalogue's bounds"
    CHARGE_ONLY = "charge_only", "Charged offences only"
    WINSORISED = "winsorised_99", "Harm winsorised at the 99th percentile"


class AnalysisPlan(models.Model):
    """One version of a trial's statistical analysis plan, as declared on the day it was saved."""

    trial = models.ForeignKey("trial.Trial", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why this version replaces the last.")
    # Saved after the trial's first unblinded report: the report shows the change.
    after_unblinding = models.BooleanField(default=False)

    primary_outcome = models.CharField(max_length=20, choices=Outcome.choices)
    secondary_outcomes = models.JSONField(default=list, blank=True)  # Outcome values, in order
    per_protocol = models.BooleanField(default=True, help_text="Per-protocol as a secondary.")
    cace = models.BooleanField(default=True, help_text="CACE as a secondary estimand.")
    alpha = models.FloatField(default=0.05)
    sided = models.CharField(max_length=3, choices=Sided.choices, default=Sided.TWO)

    planned_n = models.PositiveIntegerField(help_text="Men to randomise, both arms together.")
    power_basis = models.CharField(max_length=5, choices=PowerBasis.choices)
    control_mean = models.FloatField(null=True, blank=True)
    intervention_mean = models.FloatField(null=True, blank=True)
    sd = models.FloatField(null=True, blank=True)
    control_rate = models.FloatField(null=True, blank=True)
    intervention_rate = models.FloatField(null=True, blank=True)
    power_target = models.FloatField(default=0.8)

    interim_looks = models.PositiveSmallIntegerField(default=0)
    spending = models.CharField(max_length=20, choices=Spending.choices, default=Spending.NONE)
    min_per_arm = models.PositiveSmallIntegerField(default=10)
    sensitivity = models.JSONField(default=list, blank=True)  # Sensitivity values

    registration_id = models.CharField(max_length=40, blank=True)
    registration_url = models.URLField(blank=True)
    funder = models.CharField(max_length=200, blank=True)
    protocol_version = models.CharField(max_length=40, blank=True)
    data_sharing = models.TextField(blank=True)

    class Meta:
        ordering = ["trial", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "version"], name="plans_one_number_a_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="plans_version_from_one"),
            models.CheckConstraint(
                condition=Q(version=1, after_unblinding=False) | ~Q(reason=""),
                name="plans_change_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(alpha__gt=0, alpha__lt=0.5), name="plans_alpha_in_range"
            ),
            models.CheckConstraint(
                condition=Q(power_target__gt=0, power_target__lt=1), name="plans_power_in_range"
            ),
            models.CheckConstraint(condition=Q(planned_n__gte=4), name="plans_planned_n_two_a_arm"),
            models.CheckConstraint(condition=Q(min_per_arm__gte=2), name="plans_min_per_arm"),
            models.CheckConstraint(
                condition=Q(interim_looks=0, spending=Spending.NONE)
                | (Q(interim_looks__gt=0) & ~Q(spending=Spending.NONE)),
                name="plans_looks_have_spending",
            ),
            models.CheckConstraint(
                condition=Q(
                    power_basis=PowerBasis.MEANS,
                    control_mean__isnull=False,
                    intervention_mean__isnull=False,
                    sd__gt=0,
                )
                | Q(
                    power_basis=PowerBasis.RATES,
                    control_rate__gt=0,
                    control_rate__lt=1,
                    intervention_rate__gt=0,
                    intervention_rate__lt=1,
                ),
                name="plans_power_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"Analysis plan v{self.version}"
