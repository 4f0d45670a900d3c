"""Reads shared by every app: users by id and by role (the people e-mails and pages name)."""

from __future__ import annotations

from common.models import User


def user_by_id(pk: int | None) -> User | None:
    """Return the user with this id, or None (a task told who asked, or nobody)."""
    return User.objects.filter(pk=pk).first() if pk else None
