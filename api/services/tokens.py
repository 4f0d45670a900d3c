"""Create, revoke and mark the use of API tokens; creation and revocation are audited."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.hashing import token_digest
from api.models import ApiToken, Scope
from common.exceptions import DomainError, NotAllowedError
from common.memberships import membership_check
from common.models import Organisation, PoliceArea, User
from common.roles import Role
from common.services import audit_record, service_account_close, service_account_create

if TYPE_CHECKING:
    from trial.models import Trial

log = logging.getLogger("api.tokens")

# What every token starts with, so a leaked one is recognisable to secret scanners.
TOKEN_MARK = "tmk_"  # noqa: S105  # a label, not a secret
PREFIX_LENGTH = 12
MAX_LIFETIME = datetime.timedelta(days=366)
# last_used_at moves at most this often: a busy system does not write on every request.
USE_RESOLUTION = datetime.timedelta(minutes=1)


# The roles a service account holds for its token's scopes: what the services behind each
# scope's endpoints check (custody steps: an officer; the records push and snapshots: a data
# manager; report runs and the dataset: a researcher).
SCOPE_ROLES = {
    Scope.SCREENING_WRITE: Role.OFFICER,
    Scope.ENROLMENT_WRITE: Role.OFFICER,
    Scope.RECORDS_WRITE: Role.DATA_MANAGER,
    Scope.SNAPSHOTS_READ: Role.DATA_MANAGER,
    Scope.REPORTS_READ: Role.RESEARCHER,
    Scope.DATASET_READ: Role.RESEARCHER,
}
AREA_NEEDED = (
    "A custody system's token acts in one police area, as an officer does: choose the area."
)


def _new_secret() -> str:
    return TOKEN_MARK + secrets.token_urlsafe(32)  # 32 random bytes


def _expiry_check(expires_at: datetime.datetime, now: datetime.datetime) -> None:
    if expires_at <= now:
        raise DomainError("The expiry date must be in the future.", field="expires_at")
    if expires_at - now > MAX_LIFETIME:
        raise DomainError("A token may last at most a year.", field="expires_at")


def _name_check(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("Give the token a name, e.g. the system that will use it.", field="name")
    return name


def _scopes_check(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in Scope.values]
    if unknown:
        raise DomainError(f"Unknown scope: {', '.join(unknown)}.", field="scopes")
    if not chosen:
        raise DomainError("Choose at least one scope.", field="scopes")
    return chosen


def token_create_service(
    *,
    name: str,
    trial: Trial,
    organisation: Organisation,
    scopes: Iterable[str],
    expires_at: datetime.datetime,
    by: User | None,
    police_area: PoliceArea | None = None,
) -> tuple[ApiToken, str]:
    """Create a service token and the account it acts as; return it and its secret (once)."""
    membership_check(by, trial, Role.TRIAL_MANAGER)  # None is the management command
    now = timezone.now()
    name = _name_check(name)
    chosen = _scopes_check(scopes)
    _expiry_check(expires_at, now)
    roles = sorted({SCOPE_ROLES[Scope(scope)] for scope in chosen})
    if Role.OFFICER in roles and police_area is None:
        raise DomainError(AREA_NEEDED, field="police_area")
    if Role.OFFICER not in roles:
        police_area = None  # only an officer's cases are scoped by area
    secret = _new_secret()
    with transaction.atomic():
        account = service_account_create(
            name=name,
            username=f"service-{secret[len(TOKEN_MARK) : PREFIX_LENGTH]}-{secrets.token_hex(3)}",
            trial=trial,
            organisation=organisation,
            police_area=police_area,
            roles=roles,
            by=by,
        )
        token = ApiToken.objects.create(
            user=account,
            name=name,
            kind=ApiToken.Kind.SERVICE,
            prefix=secret[:PREFIX_LENGTH],
            digest=token_digest(secret),
            trial=trial,
            organisation=organisation,
            scopes=chosen,
            created_by=by,
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=by,
            action="api.token_created",
            obj=token,
            trial=trial.code,
            name=name,
            kind=token.kind,
            prefix=token.prefix,
            organisation=organisation.name,
            police_area=police_area.code if police_area else "",
            scopes=chosen,
            expires_at=expires_at.isoformat(),
        )
    return token, secret


def token_create_personal(
    *, name: str, expires_at: datetime.datetime, by: User
) -> tuple[ApiToken, str]:
    """Create a personal token for oneself; return it and its secret (shown once)."""
    if not by.is_authenticated or not by.is_active:
        raise NotAllowedError("Only a signed-in person may create a personal token.")
    now = timezone.now()
    name = _name_check(name)
    _expiry_check(expires_at, now)
    secret = _new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            kind=ApiToken.Kind.PERSONAL,
            prefix=secret[:PREFIX_LENGTH],
            digest=token_digest(secret),
            user=by,
            created_by=by,
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=by,
            action="api.token_created",
            obj=token,
            name=name,
            kind=token.kind,
            prefix=token.prefix,
            expires_at=expires_at.isoformat(),
        )
    return token, secret


def _may_revoke(token: ApiToken, by: User | AnonymousUser | None) -> None:
    if token.kind == ApiToken.Kind.PERSONAL:
        if by is not None and by.pk != token.user_id:
            raise NotAllowedError("Only its owner may revoke a personal token.")
        return
    membership_check(by, token.trial, Role.TRIAL_MANAGER)


def token_revoke(*, token: ApiToken, by: User | None) -> bool:
    """Revoke a token at once; return False if it was already revoked."""
    _may_revoke(token, by)
    with transaction.atomic():
        now = timezone.now()
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not changed:
            return False
        token.revoked_at = now
        if token.kind == ApiToken.Kind.SERVICE and token.user is not None:
            service_account_close(user=token.user, by=by)
        audit_record(
            actor=by,
            action="api.token_revoked",
            obj=token,
            trial=token.trial.code if token.trial else "",
            name=token.name,
            kind=token.kind,
            prefix=token.prefix,
        )
    return True


def token_used(*, token: ApiToken, method: str, path: str) -> None:
    """Note a token's use: logged every time, last_used_at written at most once a minute."""
    now = timezone.now()
    log.info("api token %s (%s) %s %s", token.prefix, token.kind, method, path)
    if token.last_used_at is not None and now - token.last_used_at < USE_RESOLUTION:
        return
    with transaction.atomic():
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - USE_RESOLUTION), pk=token.pk
        ).update(last_used_at=now)
    token.last_used_at = now
