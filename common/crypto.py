"""Personal data at rest: Fernet-encrypted model fields and files, and the keyed hash of person
identifiers."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import io
import os
import secrets
import struct
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, TextIO

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


# Files of personal data (re-offence extracts, their error reports) are sealed: written in
# chunks of CHUNK bytes, each a Fernet token under the same keys as the fields, one token a line
# after a magic first line. Each chunk carries its number and a last-chunk flag, so a reordered,
# cut or spliced file is refused, not read short. Memory stays at one chunk whatever the size.
SEALED_MAGIC = b"CARA-SEALED-1\n"
SEALED_SUFFIX = ".enc"
CHUNK = 64 * 1024
_FRAME = struct.Struct(">QB")  # chunk number, 1 on the last chunk


def private_dir(path: Path) -> Path:
    """Make a folder and its missing parents that only the app's own user may enter (0700)."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another worker made it first
            os.mkdir(folder, 0o700)
    if path.stat().st_mode & 0o077:  # made before, or by a umask that let others in
        path.chmod(0o700)
    return path


def private_open(path: Path) -> BinaryIO:
    """Create a new file only the app's own user may read (0600), for writing bytes."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


class SealedWriter(io.RawIOBase):
    """Write a sealed file: to a hidden .part beside it, renamed into place when closed.

    discard() (or an exception inside `with`) removes the part file instead, so a reader
    never sees half a file.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._part = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        self._out = private_open(self._part)
        self._out.write(SEALED_MAGIC)
        self._buffer = bytearray()
        self._number = 0
        self._discarded = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._discarded:
            return len(data)
        self._buffer += data
        while len(self._buffer) > CHUNK:  # ">" keeps the last chunk for close(), never empty
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, data: bytes, *, last: bool) -> None:
        self._out.write(fernet().encrypt(_FRAME.pack(self._number, last) + data) + b"\n")
        self._number += 1

    def abandon(self) -> None:
        """Make closing drop what was written (for a writer wrapped in a text stream)."""
        self._discarded = True

    def discard(self) -> None:
        """Drop what was written: no file appears."""
        self.abandon()
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        if self._discarded:
            self._out.close()
            self._part.unlink(missing_ok=True)
        else:
            self._emit(bytes(self._buffer), last=True)
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
            os.replace(self._part, self.path)
        super().close()

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.discard()
        self.close()


class _SealedReader(io.RawIOBase):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self._in = path.open("rb")
        if self._in.read(len(SEALED_MAGIC)) != SEALED_MAGIC:
            self._in.close()
            raise ValueError(f"{path.name} is not a sealed file")
        self._pending = b""
        self._number = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._pending and not self._ended:
            self._next_chunk()
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _next_chunk(self) -> None:
        line = self._in.readline()
        if not line.endswith(b"\n"):
            raise ValueError("the sealed file is cut short")
        try:
            plain = fernet().decrypt(line[:-1])
        except InvalidToken as exc:
            raise ValueError(
                "the sealed file cannot be decrypted with the configured keys"
            ) from exc
        number, last = _FRAME.unpack_from(plain)
        if number != self._number:
            raise ValueError("the sealed file's chunks are out of order")
        self._number += 1
        self._pending = plain[_FRAME.size :]
        if last:
            if self._in.read(1):
                raise ValueError("the sealed file has data after its last chunk")
            self._ended = True

    def close(self) -> None:
        self._in.close()
        super().close()


def open_sealed(path: Path) -> BinaryIO:
    """Open a sealed file for reading its clear bytes: the one door to a sealed file's contents."""
    return io.BufferedReader(_SealedReader(path), buffer_size=CHUNK)


def is_sealed(path: Path) -> bool:
    """Say whether a file is sealed (starts with the magic line)."""
    with path.open("rb") as handle:
        return handle.read(len(SEALED_MAGIC)) == SEALED_MAGIC


def open_text(path: Path, *, encoding: str = "utf-8") -> TextIO:
    """Open a file the app reads as text: a sealed one decrypted, a plain one as it is.

    Plain files are what arrives from outside (an extract just dropped, a file named on the
    command line); everything the app itself keeps is sealed.
    """
    if is_sealed(path):
        return io.TextIOWrapper(open_sealed(path), encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


@contextlib.contextmanager
def sealed_text(path: Path, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Write a new sealed text file (newline="" for csv); nothing appears if the block fails."""
    raw = SealedWriter(path)
    handle = io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding, newline="")
    try:
        yield handle
    except BaseException:
        raw.abandon()
        handle.close()
        raise
    handle.close()


def seal_bytes(path: Path, data: bytes) -> Path:
    """Write bytes (a page of records, say) as a new sealed file."""
    with SealedWriter(path) as out:
        out.write(data)
    return path


def seal_file(source: Path, target: Path) -> Path:
    """Copy a plain file into a new sealed file, chunk by chunk; the caller removes the source."""
    with source.open("rb") as handle, SealedWriter(target) as out:
        while chunk := handle.read(CHUNK):
            out.write(chunk)
    return target
