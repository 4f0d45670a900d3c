"""The one way a token's secret is turned into what the database keeps."""

from __future__ import annotations

import hashlib


def token_digest(secret: str) -> str:
    """Return the SHA-256 (hex) kept in place of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()
