"""Domain errors: raised by services with a message a user can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the trial refused the request; nothing was written."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def messages_by_field(self) -> dict[str | None, str]:
        """Return a message per form field (None: about the whole form)."""
        return {self.field: self.message}


class NotAllowedError(DomainError):
    """The request is valid but the state of the record does not allow it now."""


class ConflictError(DomainError):
    """Another request got there first (double submission, concurrent claim)."""
