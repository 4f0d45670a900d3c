"""Personal data at rest: Fernet-encrypted model fields and the keyed hash of person identifiers."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"  # marks ciphertext, so a column can be checked for clear text


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    """Return the MultiFernet for the configured keys (first key encrypts)."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("value is not encrypted")
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("value cannot be decrypted with the configured keys") from exc


def reencrypt(stored: str) -> str:
    """Return the value encrypted under the newest key (for key rotation)."""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


def normalise_identifier(identifier: str) -> str:
    """Return a person identifier in one canonical form (PNC IDs: upper case, no spaces)."""
    return "".join(identifier.split()).upper()


def person_key(identifier: str) -> str:
    """Return the keyed hash (HMAC-SHA256, hex) that finds a person without their identifier."""
    digest = hmac.new(
        settings.PERSON_HASH_KEY.encode(), normalise_identifier(identifier).encode(), hashlib.sha256
    )
    return digest.hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored Fernet-encrypted; it cannot be searched or ordered in the database."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))


class EncryptedDateField(models.TextField):
    """A date stored Fernet-encrypted as ISO 8601; Python sees a datetime.date."""

    def from_db_value(
        self, value: str | None, expression: Any, connection: Any
    ) -> datetime.date | None:
        return None if value is None else datetime.date.fromisoformat(decrypt(value))

    def to_python(self, value: Any) -> datetime.date | None:
        if value is None or isinstance(value, datetime.date):
            return value
        return datetime.date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return encrypt(self.to_python(value).isoformat())  # type: ignore[union-attr]
