"""Users, the organisations they belong to, and the audit trail every service writes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class PoliceArea(models.Model):
    """A police area (a stratum by default) within a force; officers belong to one."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    force = models.CharField(
        max_length=120, help_text="The police force, e.g. Hampshire Constabulary."
    )

    class Meta:
        ordering = ["force", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.force})"


class Provider(models.Model):
    """An organisation that runs the workshops (Hampton Trust for CARA)."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; what they may do comes from their groups (roles)."""

    police_area = models.ForeignKey(
        PoliceArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
        help_text="Case officers see only their own area's cases.",
    )
    provider = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="Counsellors belong to the organisation that runs the workshops.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class Access(models.Model):
    """Holds the page permissions of the roles; it has no table and no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("officer_pages", "Open the case officer's pages"),
            ("counsellor_pages", "Open the counsellor's pages"),
            ("research_pages", "Open the researcher's pages"),
            ("manage_trial", "Configure trials, users and areas"),
            ("manage_data", "Load re-offence data and resolve unmatched records"),
        ]

    def __str__(self) -> str:
        return "access"


class AuditEvent(models.Model):
    """One thing that happened: a write by a service, or a look at personal data."""

    # trial's claim function (trial/migrations/0009) inserts rows itself: a new NOT NULL column
    # needs a database default or a new version of that function.

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=80, db_index=True, help_text="e.g. allocation.claim")
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Identifiers only (trial IDs, database ids): never names or other personal data.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
