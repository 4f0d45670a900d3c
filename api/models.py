"""API tokens: a person's own, or a system's, scoped to one trial and one organisation.

A service token acts through a service account of its own (common.models.User), holding only
the roles its scopes need: the services and selectors check and scope it as they do a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    """What a service token may do, each named in the endpoint's permission."""

    SCREENING_WRITE = "screening:write", "Submit screening facts"
    ENROLMENT_WRITE = "enrolment:write", "Enrol and randomise"
    RECORDS_WRITE = "records:write", "Push re-offence records"
    SNAPSHOTS_READ = "snapshots:read", "Read follow-up snapshots"
    REPORTS_READ = "reports:read", "Read report runs"
    DATASET_READ = "dataset:read", "Read the pseudonymised dataset"


class ApiToken(models.Model):
    """A bearer token; only the SHA-256 of its secret is kept, the secret is shown once."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        SERVICE = "service", "Service"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The first characters of the secret: enough to tell tokens apart in a list, not to use one.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="Whose token: a person's own, or a service token's service account.",
    )
    trial = models.ForeignKey(
        "trial.Trial", on_delete=models.PROTECT, null=True, blank=True, related_name="api_tokens"
    )
    organisation = models.ForeignKey(
        "common.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    scopes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens_created",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="personal",
                        user__isnull=False,
                        trial__isnull=True,
                        organisation__isnull=True,
                    )
                    | models.Q(
                        kind="service",
                        user__isnull=False,
                        trial__isnull=False,
                        organisation__isnull=False,
                    )
                ),
                name="api_token_personal_or_service",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
