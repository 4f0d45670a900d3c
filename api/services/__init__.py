"""Every write of the api app: tokens created, revoked and used."""

from api.services.tokens import (
    TOKEN_MARK,
    token_create_personal,
    token_create_service,
    token_digest,
    token_revoke,
    token_used,
)

__all__ = [
    "TOKEN_MARK",
    "token_create_personal",
    "token_create_service",
    "token_digest",
    "token_revoke",
    "token_used",
]
