"""Users, the organisations they belong to, the audit trail every service writes, the outbox."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Organisation(models.Model):
    """A police force (with its areas), a workshop provider or a university research team."""

    class Kind(models.TextChoices):
        FORCE = "force", "Police force"
        PROVIDER = "provider", "Workshop provider"
        UNIVERSITY = "university", "University"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["force", "provider", "university"]),
                name="organisation_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PoliceArea(models.Model):
    """A police area (a stratum by default) within a force; officers belong to one."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    force = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="areas",
        limit_choices_to={"kind": "force"},
        help_text="The police force, e.g. Hampshire Constabulary.",
    )

    class Meta:
        ordering = ["force__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.force})"


class Provider(models.Model):
    """The workshops side of a provider organisation (Hampton Trust for CARA)."""

    name = models.CharField(max_length=120, unique=True)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="provider",
        limit_choices_to={"kind": "provider"},
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):  # type: ignore[django-manager-missing]  # signin.Authenticator: django-otp has no types
    """A person who signs in; what they may do comes from their memberships (roles in trials)."""

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="The force, provider or university the person works for.",
    )

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
    # A service token's identity: the services and selectors take a person, and a custody or
    # records system acts through one that never signs in (api/services/tokens.py).
    is_service_account = models.BooleanField(
        default=False,
        db_default=False,
        help_text="An API service token's identity: no password, never signs in.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # No door but its token: no password, no admin, no superuser.
            models.CheckConstraint(
                condition=models.Q(is_service_account=False)
                | models.Q(
                    password__startswith="!",  # noqa: S106  # Django's mark of an unusable one
                    is_staff=False,
                    is_superuser=False,
                ),
                name="user_service_account_cannot_sign_in",
            ),
        ]

    def refresh_from_db(self, *args: object, **kwargs: object) -> None:
        # Memberships and permissions are cached on the instance (common/memberships.py): a
        # fresh row means fresh roles.
        for key in ("_memberships_cache", "_perm_cache", "_group_perm_cache", "_user_perm_cache"):
            self.__dict__.pop(key, None)
        super().refresh_from_db(*args, **kwargs)  # type: ignore[arg-type]


# Roles held across the installation rather than in one trial: the audit trail is one chain.
INSTALLATION_ROLES = ["Data protection officer"]


class Membership(models.Model):
    """A role a user holds in one trial (an installation role has no trial)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    # A string reference: common sits below trial and never imports it.
    trial = models.ForeignKey(
        "trial.Trial",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(max_length=40)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["trial__code", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "trial", "role"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(trial__isnull=True),
                name="membership_installation_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    role__in=[
                        "Case officer",
                        "Counsellor",
                        "Researcher",
                        "Trial manager",
                        "Data manager",
                        "National coordinator",
                        "Data protection officer",
                        "Data monitoring committee",
                    ]
                ),
                name="membership_role_valid",
            ),
            # Every trial role names its trial; only the installation's roles have none.
            models.CheckConstraint(
                condition=models.Q(trial__isnull=True, role__in=INSTALLATION_ROLES)
                | (models.Q(trial__isnull=False) & ~models.Q(role__in=INSTALLATION_ROLES)),
                name="membership_trial_iff_trial_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.trial or 'the installation'}"


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
            ("audit_pages", "Read the audit trail and answer subject access requests"),
            ("oversight_pages", "Compare trials and forces, pseudonymised"),
            ("monitoring_pages", "Read a trial's interim reports as its monitoring committee"),
        ]

    def __str__(self) -> str:
        return "access"


class AuditEvent(models.Model):
    """One thing that happened: a write by a service, or a look at personal data or its disclosure.

    Rows are append-only (database triggers, common/migrations/0005) and chained: the sealer
    (common/services/audit_chain.py) gives each row its place and a hash over its content and the
    previous row's hash, so an edit or a removal made past the triggers is found by verify_audit.
    """

    # trial's claim function (trial/migrations/0010) inserts rows itself: a new NOT NULL column
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
    trial = models.CharField(max_length=40, blank=True, default="", db_default="")
    # The trial ID of the one case the event is about (cases shown in a list: AuditMention).
    subject = models.CharField(max_length=64, blank=True, default="", db_default="")
    # Identifiers only (trial IDs, database ids): never names or other personal data.
    detail = models.JSONField(default=dict, blank=True)
    # Set once by the sealer, never by the writer: writers never wait for each other's chain.
    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    row_hash = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["subject", "at"], name="audit_subject_at"),
            models.Index(fields=["trial", "at"], name="audit_trial_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class AuditMention(models.Model):
    """A case shown or disclosed by an event about several cases (a list page, an export)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="mentions")
    subject = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["subject", "event"], name="audit_mention_subject")]

    def __str__(self) -> str:
        return f"{self.subject} in {self.event_id}"


class AuditVerification(models.Model):
    """One run of verify_audit: whether the chain held, and the head it vouched for."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ok = models.BooleanField()
    rows_checked = models.BigIntegerField(default=0)
    # The head is what the next run checks is still there: a chain rewritten whole from an
    # earlier row, or cut short, no longer ends in it.
    head_seq = models.BigIntegerField(null=True, blank=True)
    head_hash = models.CharField(max_length=64, blank=True)
    problem = models.TextField(blank=True)
    broken_event = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'intact' if self.ok else 'BROKEN'}"


def outbox_message_id() -> str:
    """Return a new RFC 5322 Message-ID on the site's host, kept by the row across re-sends."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox-{uuid.uuid4().hex}@{host}>"


class OutboxMessage(models.Model):
    """An e-mail or text message written with the change it reports, sent after commit."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        # The composer found nothing to send any more (the breach was withdrawn, say).
        CANCELLED = "cancelled", "Cancelled: nothing to send by then"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(
        max_length=80, help_text="A registered kind, e.g. trial.allocation_notice"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # Ids only (rendered at send time), so the row never holds personal data and the text is
    # what is true when it leaves.
    context = models.JSONField(default=dict, blank=True)
    # Who, resolved at send time: {"users": [3, 5]}, {"role": "Researcher"} or a kind's own key.
    recipients = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Exception type and a safe summary: never the server's text, which can list addresses.
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The same on every re-send, so a copy sent twice after a crash can be dropped downstream.
    message_id = models.CharField(
        max_length=200, unique=True, editable=False, default=outbox_message_id
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "cancelled", "failed"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms"]), name="outbox_channel_valid"
            ),
            # sent_at says when it left: set on sent messages and on no others.
            models.CheckConstraint(
                condition=(
                    models.Q(status="sent", sent_at__isnull=False)
                    | (~models.Q(status="sent") & models.Q(sent_at__isnull=True))
                ),
                name="outbox_sent_at_iff_sent",
            ),
            # A failed message says why, so whoever reads the admin can act on it.
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(last_error=""),
                name="outbox_failed_has_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class IdempotencyKey(models.Model):
    """A machine client's Idempotency-Key and the response its first request got.

    A retried request (the network dropped the answer, a custody system replays its queue) gets
    the stored response instead of a second enrolment; keys last 24 hours.
    """

    key = models.CharField(max_length=255)
    # Whose key it is ("token:<id>", "user:<id>"): two clients may pick the same key.
    scope_owner = models.CharField(max_length=80)
    # sha256 of method, path and canonical JSON body: the same key with another body is refused.
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scope_owner", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope_owner} {self.key}"
