"""The second factor: enrolling an authenticator, checking codes, recovery codes, a reset.

Each is one transaction with its audit event. Codes and secrets never reach the audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP

from common.exceptions import DomainError
from common.models import User
from common.roles import Role, has_role
from common.services import audit_record, person_is_managed_by
from signin.models import Authenticator, RecoveryCode

RECOVERY_CODES = 10
STEP = 30
TOLERANCE = 1  # the code before and after the current one: a phone's clock may be 30 s out


@dataclass(frozen=True)
class Verified:
    """A code accepted: the device to sign the session in with, and what was used."""

    device: Authenticator
    recovery_codes_left: int | None = None  # set when a recovery code was used


def _totp(secret: str) -> TOTP:
    return TOTP(base64.b32decode(secret), step=STEP)


def code_now(secret: str, at: float | None = None) -> str:
    """Return the six-digit code an authenticator shows for this secret (now, or at a time)."""
    totp = _totp(secret)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode()).hexdigest()


def confirmed_authenticator(user: User) -> Authenticator | None:
    """Return the user's enrolled authenticator, if any."""
    return Authenticator.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def authenticator_start(*, user: User) -> Authenticator:
    """Return the user's enrolment in progress, making one with a new secret if there is none.

    Idempotent: reloading the enrolment page shows the same QR code until it is confirmed.
    """
    pending = Authenticator.objects.select_for_update().filter(user=user, confirmed=False).first()
    if pending is not None:
        return pending
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    return Authenticator.objects.create(
        user=user, name="Authenticator app", confirmed=False, secret=secret
    )


def _recovery_codes_make(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(7)).decode().lower()[:10]
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, digest=_digest(c)) for c in codes)
    return codes


def _accept(device: Authenticator, code: str) -> bool:
    """Check a code against a locked device row; accept each time step once (no replay)."""
    digits = "".join(code.split())
    if not (digits.isdigit() and len(digits) == 6):
        return False
    totp = _totp(device.secret)
    totp.time = time.time()
    if not totp.verify(int(digits), tolerance=TOLERANCE, min_t=device.last_t + 1):
        return False
    device.last_t = totp.t()
    return True


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="code")


def authenticator_confirm(*, user: User, code: str) -> tuple[Authenticator, list[str]]:
    """Finish enrolment with a code from the app; return the device and ten recovery codes.

    A wrong code is audited and refused; the refusal is raised after that commits.
    """
    with transaction.atomic():
        device = Authenticator.objects.select_for_update().filter(user=user, confirmed=False)
        pending = device.first()
        if pending is None:
            raise _refuse("Start again: this set-up has expired.")
        if _accept(pending, code):
            Authenticator.objects.filter(user=user).exclude(pk=pending.pk).delete()
            pending.confirmed = True
            pending.save(update_fields=["confirmed", "last_t"])
            codes = _recovery_codes_make(user)
            audit_record(actor=user, action="auth.second_factor_enrolled", obj=user)
            return pending, codes
        audit_record(actor=user, action="auth.second_factor_failed", obj=user, step="enrol")
    raise _refuse("That code is not right. Type the six digits your app shows now.")


def second_factor_verify(*, user: User, code: str, address: str = "") -> Verified:
    """Check a sign-in code; a wrong one waits longer each time (1, 2, 4 ... seconds)."""
    with transaction.atomic():
        device = Authenticator.objects.select_for_update().filter(user=user, confirmed=True)
        found = device.first()
        if found is None:
            raise _refuse("Set up your authenticator app first.")
        allowed, _ = found.verify_is_allowed()
        if not allowed:
            audit_record(
                actor=user, action="auth.second_factor_throttled", obj=user, address=address
            )
            refusal = "Too many wrong codes: wait a few seconds and try again."
        elif _accept(found, code):
            found.throttle_reset(commit=False)
            found.save(
                update_fields=["last_t", "throttling_failure_count", "throttling_failure_timestamp"]
            )
            audit_record(
                actor=user, action="auth.second_factor_verified", obj=user, address=address
            )
            return Verified(found)
        else:
            found.throttle_increment(commit=True)
            audit_record(actor=user, action="auth.second_factor_failed", obj=user, address=address)
            refusal = (
                "That code is not right, or was already used. Type the code your app shows now."
            )
    raise _refuse(refusal)


def recovery_code_use(*, user: User, code: str, address: str = "") -> Verified:
    """Sign in with a recovery code instead of the app's code; each code works once."""
    with transaction.atomic():
        device = Authenticator.objects.select_for_update().filter(user=user, confirmed=True).first()
        unused = RecoveryCode.objects.select_for_update().filter(
            user=user, digest=_digest(code), used_at__isnull=True
        )
        recovery = unused.first()
        if device is not None and recovery is not None:
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit_record(
                actor=user, action="auth.recovery_code_used", obj=user, address=address, left=left
            )
            return Verified(device, recovery_codes_left=left)
        audit_record(actor=user, action="auth.recovery_code_failed", obj=user, address=address)
    raise _refuse("That recovery code is not right, or was already used. Each code works once.")


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """Replace a user's recovery codes with ten new ones (the old ones stop working)."""
    if confirmed_authenticator(user) is None:
        raise DomainError("Set up your authenticator app first.")
    codes = _recovery_codes_make(user)
    audit_record(actor=user, action="auth.recovery_codes_renewed", obj=user)
    return codes


@transaction.atomic
def second_factor_reset(*, user: User, by: User) -> None:
    """Remove a user's authenticator and recovery codes: they enrol again at next sign-in.

    A trial manager's action for a lost phone; sessions verified with the old device stop
    being verified, because the device they name is gone.
    """
    if not has_role(by, Role.TRIAL_MANAGER):
        raise DomainError("Only a trial manager can reset a second factor.")
    if not person_is_managed_by(user, by):
        raise DomainError("This person works in trials you do not manage.")
    if user.is_superuser and not by.is_superuser:
        raise DomainError("A superuser's second factor is reset from the command line.")
    removed, _ = Authenticator.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(actor=by, action="auth.second_factor_reset", obj=user, had_device=bool(removed))
