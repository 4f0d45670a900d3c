"""A user's authenticator app and recovery codes: the second factor of sign-in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin

from common.crypto import EncryptedTextField


class Authenticator(ThrottlingMixin, Device):
    """A TOTP authenticator app (RFC 6238); the shared secret is encrypted at rest.

    Verified by signin.services (under a row lock, so a code is accepted once), never by
    django-otp's verify_token, which this model leaves refusing every code.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticators"
    )
    secret = EncryptedTextField(help_text="Base32 shared secret.")
    last_t = models.BigIntegerField(default=-1, help_text="Time step of the last accepted code.")
    created_at = models.DateTimeField(default=timezone.now)

    def get_throttle_factor(self) -> int:
        return 1  # waits of 1, 2, 4, 8 ... seconds after successive wrong codes

    def verify_token(self, token: object) -> bool:
        return False


class RecoveryCode(models.Model):
    """One single-use recovery code, stored as its SHA-256 (codes are random, 50 bits)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id} ({'used' if self.used_at else 'unused'})"
